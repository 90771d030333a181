import type { SyncJobData } from '@imsync/callbacks';
import { modelEvent, type ModelEvent } from './model.js';

type Body = Record<string, unknown>;
const gidOf = (e: ModelEvent) => `${e.app}/${String(e.body.GroupId ?? e.body.groupID)}`;
const pairsOf = (e: ModelEvent) =>
  (e.body.PairList as { From_Account: string; To_Account: string }[]).map(
    (p) => `${e.app}/${p.From_Account}/${p.To_Account}`,
  );

/** Scenarios the property test must have exercised, counted over the histories it ran. */
export const SCENARIOS = {
  /** create, destroy, create of one group, in time order */
  recreated: (es: ModelEvent[]) =>
    groupsWith(es, (g) =>
      /C.*D.*C/.test(
        g
          .map((e) =>
            e.command.endsWith('CreateGroup') ? 'C' : e.command.endsWith('GroupDestroyed') ? 'D' : '',
          )
          .join(''),
      ),
    ),
  /** a join that happened before a destroy, delivered after it */
  lateJoinBeforeDestroy: (es: ModelEvent[], delivered: ModelEvent[]) =>
    es.some(
      (d) =>
        d.command.endsWith('GroupDestroyed') &&
        es.some(
          (j) =>
            j.command.endsWith('NewMemberJoin') &&
            gidOf(j) === gidOf(d) &&
            j.version < d.version &&
            firstIndex(delivered, j) > firstIndex(delivered, d),
        ),
    ),
  /** a topic created before a destroy of its group */
  topicEndedWithGroup: (es: ModelEvent[]) =>
    es.some(
      (d) =>
        d.command.endsWith('GroupDestroyed') &&
        es.some(
          (t) =>
            t.command.endsWith('CreateTopic') &&
            t.body.TopicId &&
            gidOf(t) === gidOf(d) &&
            t.version < d.version,
        ),
    ),
  attrSet: (es: ModelEvent[]) => es.some((e) => e.body.OptionType === 'set'),
  attrModifyThenDelete: (es: ModelEvent[]) =>
    groupsWith(es, (g) => /m.*d/.test(g.map((e) => String(e.body.OptionType ?? '').slice(0, 1)).join(''))),
  attrClear: (es: ModelEvent[]) => es.some((e) => e.body.OptionType === 'clear'),
  profileTagTwice: (es: ModelEvent[]) => {
    const seen = new Set<string>();
    for (const e of es.filter((x) => x.command === 'Profile.CallbackPortraitSet')) {
      const tags = new Set(
        (e.body.ProfileItem as { Tag: string }[]).map(
          (i) => `${e.app}/${String(e.body.From_Account)}/${i.Tag}`,
        ),
      );
      for (const t of tags) if (seen.has(t)) return true;
      for (const t of tags) seen.add(t);
    }
    return false;
  },
  friendAddDeleteAdd: (es: ModelEvent[]) => {
    const seq = new Map<string, string>();
    for (const e of es) {
      const c =
        e.command === 'Sns.CallbackFriendAdd' ? 'a' : e.command === 'Sns.CallbackFriendDelete' ? 'd' : '';
      if (c) for (const p of pairsOf(e)) seq.set(p, (seq.get(p) ?? '') + c);
    }
    return [...seq.values()].some((s) => /a.*d.*a/.test(s));
  },
  /** a later message with a lower MsgSeq in the same group */
  msgSeqOutOfOrder: (es: ModelEvent[]) =>
    groupsWith(es, (g) => {
      const seqs = g
        .filter((e) => e.command.endsWith('AfterSendMsg') && !e.body.TopicId)
        .map((e) => Number(e.body.MsgSeq));
      return seqs.some((s, i) => i > 0 && s < Math.max(...seqs.slice(0, i)));
    }),
  noEventTime: (es: ModelEvent[]) => es.some((e) => e.body.EventTime === undefined),
  timeTie: (es: ModelEvent[]) => new Set(es.map((e) => e.time)).size < es.length,
  stateChangesOfOneUser: (es: ModelEvent[]) => {
    const users = es
      .filter((e) => e.command === 'State.StateChange')
      .map((e) => `${e.app}/${String((e.body.Info as Body).To_Account)}`);
    return new Set(users).size < users.length;
  },
};

function firstIndex(delivered: ModelEvent[], e: ModelEvent): number {
  return delivered.findIndex((d) => d.version === e.version);
}

function groupsWith(es: ModelEvent[], test: (groupEvents: ModelEvent[]) => boolean): boolean {
  const by = new Map<string, ModelEvent[]>();
  for (const e of es.filter((x) => x.command.startsWith('Group.')))
    by.set(gidOf(e), [...(by.get(gidOf(e)) ?? []), e]);
  return [...by.values()].some(test);
}

export class Coverage {
  readonly counts: Record<string, number> = Object.fromEntries(
    [...Object.keys(SCENARIOS), 'histories'].map((k) => [k, 0]),
  );
  readonly commands = new Map<string, number>();

  record(history: readonly SyncJobData[], delivery: readonly SyncJobData[]): void {
    const es = history
      .map(modelEvent)
      .sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
    const delivered = delivery.map(modelEvent);
    this.counts.histories! += 1;
    for (const [name, test] of Object.entries(SCENARIOS)) if (test(es, delivered)) this.counts[name]! += 1;
    for (const e of es) this.commands.set(e.command, (this.commands.get(e.command) ?? 0) + 1);
  }
}
