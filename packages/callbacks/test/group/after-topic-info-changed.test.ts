import { expect } from 'chai';
import { expectRefused, itToleratesTheDocumentedDrift, parse, sampleBody, variant } from '../support.js';

describe('Group.CallbackAfterTopicInfoChanged', () => {
  const C = 'Group.CallbackAfterTopicInfoChanged';

  it('accepts the documented sample (no TopicId, no EventTime)', () => {
    const e = parse(C, sampleBody(C));
    expect(e.GroupId).to.equal('@TGS#2J4SZEAEL');
    expect(e).to.deep.include({
      Name: 'TestTopic',
      Introduction: 'TestIntroduction',
      Notification: 'NewNotification',
      FaceUrl: 'http://this.is.face.url',
    });
    expect(e.TopicId).to.equal(undefined);
    expect(e.EventTime).to.equal(undefined);
  });

  itToleratesTheDocumentedDrift(C, { group: true });

  it('accepts a TopicId when one is sent, and a single changed field', () => {
    const e = parse(
      C,
      variant(C, {
        TopicId: '@TGS#_g@TOPIC#_t',
        Name: undefined,
        Introduction: undefined,
        Notification: undefined,
      }),
    );
    expect(e.TopicId).to.equal('@TGS#_g@TOPIC#_t');
    expect(e.FaceUrl).to.equal('http://this.is.face.url');
    expect(e.Name).to.equal(undefined);
  });

  it('lists every failing field', () => {
    expectRefused(C, { Name: [], Introduction: {} }, ['GroupId', 'Name', 'Introduction']);
  });
});
