import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { parse } from 'yaml';
import { serviceLaunch } from '@imsync/testing';

// CI has no Docker engine: the compose file and the Dockerfile are read against the services instead.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');

interface Healthcheck {
  test?: string[] | string;
  interval?: string;
}
interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string; target?: string };
  command?: string[] | string;
  environment?: Record<string, string | number | boolean>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  healthcheck?: Healthcheck;
  depends_on?: Record<string, { condition?: string }>;
  container_name?: string;
  init?: boolean;
  stop_grace_period?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;
const svc = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};
const words = (v: string[] | string | undefined): string[] => (Array.isArray(v) ? v : (v ?? '').split(/\s+/));
const seconds = (d: string | undefined): number => {
  const m = /^(\d+)(s|m)$/.exec(d ?? '');
  return m ? Number(m[1]) * (m[2] === 'm' ? 60 : 1) : NaN;
};
/** The value of `${VAR:-default}` / `${VAR-default}` as compose resolves it with VAR unset. */
const unset = (v: string | number | boolean | undefined): string =>
  String(v ?? '').replace(/\$\{\w+:?-([^}]*)\}/g, '$1');

/** The Dockerfile as stages: name → instructions (continuation lines joined). */
function dockerStages(text: string): Map<string, { from: string; lines: string[] }> {
  const stages = new Map<string, { from: string; lines: string[] }>();
  const args = new Map<string, string>();
  let current: { from: string; lines: string[] } | undefined;
  for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
    const l = line.trim();
    if (!l || l.startsWith('#')) continue;
    const arg = /^ARG\s+(\w+)=(\S+)/.exec(l);
    if (arg && !current) args.set(arg[1] ?? '', arg[2] ?? '');
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(l);
    if (from) {
      current = {
        from: (from[1] ?? '').replace(/\$\{(\w+)\}/g, (_, a: string) => args.get(a) ?? ''),
        lines: [],
      };
      stages.set(from[2] ?? `#${stages.size}`, current);
      continue;
    }
    current?.lines.push(l);
  }
  return stages;
}

describe('docker-compose.yml, read against the services', () => {
  it('runs redis, postgres, ingest and sync-worker, each with a healthcheck', () => {
    expect(Object.keys(compose.services).sort()).to.deep.equal([
      'ingest',
      'postgres',
      'redis',
      'sync-worker',
    ]);
    for (const [name, s] of Object.entries(compose.services)) {
      expect(words(s.healthcheck?.test).length, `${name} healthcheck`).to.be.greaterThan(1);
      expect(seconds(s.healthcheck?.interval), `${name} healthcheck interval`).to.be.greaterThan(0);
    }
  });

  it('Redis is configured as BullMQ needs in production, on a named volume', () => {
    const redis = svc('redis');
    const cmd = words(redis.command).join(' ');
    expect(cmd).to.match(/^redis-server /);
    expect(cmd).to.include('--appendonly yes');
    expect(cmd).to.include('--appendfsync everysec');
    expect(cmd).to.include('--maxmemory-policy noeviction');
    expect(words(redis.healthcheck?.test)).to.include('redis-cli');
    const volume = redis.volumes?.find((v) => v.endsWith(':/data'))?.split(':')[0];
    expect(compose.volumes ?? {}).to.have.property(volume ?? '(none)');
  });

  it('PostgreSQL 15 creates the imsync database, on a named volume', () => {
    const postgres = svc('postgres');
    expect(postgres.image).to.match(/^postgres:15(\b|-)/);
    expect(postgres.environment?.POSTGRES_DB).to.equal('imsync');
    const volume = postgres.volumes?.find((v) => v.endsWith(':/var/lib/postgresql/data'))?.split(':')[0];
    expect(compose.volumes ?? {}).to.have.property(volume ?? '(none)');
    expect(words(postgres.healthcheck?.test).join(' ')).to.include('pg_isready');
  });

  it('only ingest publishes host ports: its public port, and its admin port on 127.0.0.1 only', () => {
    const ingest = svc('ingest');
    const env = ingest.environment ?? {};
    expect(ingest.ports).to.have.members([
      `${unset(env.INGEST_PORT)}:${unset(env.INGEST_PORT)}`,
      `127.0.0.1:${unset(env.ADMIN_PORT)}:${unset(env.ADMIN_PORT)}`,
    ]);
    expect(env.ADMIN_HOST, 'the admin port must be reachable from the host through Docker').to.equal(
      '0.0.0.0',
    );
    expect(env.INGEST_HOST).to.equal('0.0.0.0');
    for (const name of ['redis', 'postgres', 'sync-worker'])
      expect(svc(name).ports, name).to.equal(undefined);
  });

  it('sync-worker scales: no container name, no host port; `--scale sync-worker=4` works', () => {
    const worker = svc('sync-worker');
    expect(worker).to.not.have.property('container_name');
    expect(worker).to.not.have.property('ports');
    for (const s of Object.values(compose.services)) expect(s).to.not.have.property('container_name');
  });

  it('the services wait for healthy dependencies, run under an init, and probe their own /healthz', () => {
    const ingest = svc('ingest');
    const worker = svc('sync-worker');
    expect(ingest.depends_on).to.deep.equal({ redis: { condition: 'service_healthy' } });
    expect(worker.depends_on).to.deep.equal({
      redis: { condition: 'service_healthy' },
      postgres: { condition: 'service_healthy' },
    });
    expect(ingest.init).to.equal(true);
    expect(worker.init).to.equal(true);
    expect(words(ingest.healthcheck?.test).join(' ')).to.include(
      `http://127.0.0.1:${unset(ingest.environment?.ADMIN_PORT)}/healthz`,
    );
    expect(words(worker.healthcheck?.test).join(' ')).to.include(
      `http://127.0.0.1:${unset(worker.environment?.WORKER_ADMIN_PORT)}/healthz`,
    );
    // Docker waits for ingest's drain, its wait for a pause in new connections (1.5 s at most) and its
    // deadline for the requests it read (SHUTDOWN_TIMEOUT_MS, 3 s by default) before it kills
    const drainMs = Number(unset(ingest.environment?.SHUTDOWN_DRAIN_MS));
    expect(drainMs).to.be.greaterThan(0);
    expect(seconds(ingest.stop_grace_period) * 1000).to.be.greaterThan(drainMs + 1500 + 3000);
    // Docker waits longer than the worker's own shutdown deadline before it kills
    const deadlineMs = Number(unset(worker.environment?.SHUTDOWN_TIMEOUT_MS));
    expect(seconds(worker.stop_grace_period) * 1000).to.be.greaterThan(deadlineMs);
  });

  it('points the services at the compose Redis and PostgreSQL, and sets only variables their config reads', () => {
    const ingest = svc('ingest').environment ?? {};
    const worker = svc('sync-worker').environment ?? {};
    expect(ingest.REDIS_URL).to.equal('redis://redis:6379');
    expect(worker.REDIS_URL).to.equal('redis://redis:6379');
    expect(unset(worker.DATABASE_URL)).to.equal('postgres://postgres:postgres@postgres:5432/imsync');
    expect(unset(ingest.QUEUE_PREFIX)).to.equal(unset(worker.QUEUE_PREFIX));
    expect(unset(ingest.IM_SDKAPPID)).to.match(/^\d+$/);
    const ingestConfig = read('packages/ingest/src/config.ts');
    // the worker's config, the sweep's settings it spreads and the REST client's it parses
    const workerConfig = [
      'packages/sync-worker/src/config.ts',
      'packages/sync-worker/src/backfill/config.ts',
      'packages/tencent-api/src/config.ts',
    ]
      .map(read)
      .join('\n');
    for (const name of Object.keys(ingest)) expect(ingestConfig, `ingest reads ${name}`).to.include(name);
    for (const name of Object.keys(worker))
      expect(workerConfig, `sync-worker reads ${name}`).to.include(name);
  });

  it('builds each service from the Dockerfile stage named after it', () => {
    const stages = dockerStages(read('Dockerfile'));
    for (const name of ['ingest', 'sync-worker']) {
      const build = svc(name).build;
      expect(build?.context).to.equal('.');
      expect(build?.target).to.equal(name);
      expect(stages.has(name), `Dockerfile stage ${name}`).to.equal(true);
    }
  });
});

describe('Dockerfile', () => {
  const stages = dockerStages(read('Dockerfile'));

  it('is multi-stage on node:20-bookworm-slim: the build, production dependencies, one final stage per service', () => {
    for (const [name, s] of stages) expect(s.from, name).to.match(/^(node:20-bookworm-slim|[a-z-]+)$/);
    expect([...stages.keys()]).to.include.members([
      'build',
      'ingest-deps',
      'sync-worker-deps',
      'ingest',
      'sync-worker',
    ]);
    const build = stages.get('build')?.lines.join('\n') ?? '';
    expect(build).to.match(/npm ci\b/);
    expect(build).to.match(/tsc -b/);
    for (const name of ['ingest', 'sync-worker']) {
      expect(stages.get(`${name}-deps`)?.lines.join('\n')).to.match(
        new RegExp(`npm ci --omit=dev .*--workspace @imsync/${name}`),
      );
    }
  });

  for (const name of ['ingest', 'sync-worker'] as const) {
    it(`${name}: production dependencies only, its workspaces' compiled code, runs as node, node receives SIGTERM`, () => {
      const stage = stages.get(name);
      const lines = stage?.lines ?? [];
      const text = lines.join('\n');
      expect(text).to.include(`COPY --from=${name}-deps /app ./`);
      expect(text).to.not.match(/--from=build \/app\/node_modules/);
      // every workspace the service depends on is copied in compiled, or the image cannot start
      const pkg = JSON.parse(read(`packages/${name}/package.json`)) as {
        dependencies: Record<string, string>;
      };
      const workspaces = Object.keys(pkg.dependencies)
        .filter((d) => d.startsWith('@imsync/'))
        .map((d) => d.slice('@imsync/'.length));
      for (const w of [...workspaces, name]) {
        expect(text, `${name} image holds ${w}/dist`).to.include(
          `COPY --from=build /app/packages/${w}/dist packages/${w}/dist`,
        );
      }
      const user = lines.filter((l) => /^USER\s/.test(l));
      expect(user).to.deep.equal(['USER node']);
      expect(lines.indexOf('USER node')).to.be.greaterThan(
        lines.findLastIndex((l) => /^(COPY|RUN)\s/.test(l)),
      );
      // exec form: node is the process Docker signals (compose adds an init that forwards), with the same
      // node options as the package's start script
      const argv = ['node', ...serviceLaunch(name).nodeFlags, `packages/${name}/dist/main.js`];
      const cmds = lines.filter((l) => l.startsWith('CMD'));
      expect(cmds).to.have.length(1);
      expect(JSON.parse(cmds[0]!.slice('CMD'.length))).to.deep.equal(argv);
    });
  }

  it('the sync-worker image holds its migrations', () => {
    expect(stages.get('sync-worker')?.lines).to.include(
      'COPY --from=build /app/packages/sync-worker/migrations packages/sync-worker/migrations',
    );
  });

  it('.dockerignore keeps node_modules, build output and local state out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const p of ['**/node_modules', '**/dist', '**/.turbo', 'bench-results', '.git', '.env']) {
      expect(ignored, p).to.include(p);
    }
  });
});
