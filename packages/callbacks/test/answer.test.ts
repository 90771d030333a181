import { expect } from 'chai';
import { failAnswer, okAnswer, rejectionAnswer, REJECTIONS, type RejectionReason } from '../src/answer.js';

/** The HTTP status docs/answers.md gives each reason. */
const STATUS: Record<RejectionReason, number> = {
  malformedJson: 400,
  missingCommand: 400,
  commandMismatch: 400,
  invalidBody: 400,
  undecodableBody: 400,
  unauthenticated: 401,
  unknownApp: 403,
  notFound: 404,
  methodNotAllowed: 405,
  tooLarge: 413,
  unsupportedEncoding: 415,
  internal: 500,
  queueUnavailable: 503,
};

describe('answers', () => {
  it('answers OK with ErrorCode 0 (allow, for a before-callback)', () => {
    expect(okAnswer()).to.deep.equal({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
  });

  it('gives every reason its documented HTTP status', () => {
    expect(Object.keys(REJECTIONS)).to.have.members(Object.keys(STATUS));
    for (const [reason, r] of Object.entries(REJECTIONS))
      expect(r.status, reason).to.equal(STATUS[reason as RejectionReason]);
  });

  it('gives every reason a distinct non-zero ErrorCode whose first three digits are the status', () => {
    const codes = Object.values(REJECTIONS).map((r) => r.code);
    expect(new Set(codes).size).to.equal(codes.length);
    for (const r of Object.values(REJECTIONS)) {
      expect(r.code).to.be.greaterThan(0);
      expect(Math.floor(r.code / 100)).to.equal(r.status);
    }
  });

  it('shapes a refusal like Tencent’s answers, with an optional detail', () => {
    expect(rejectionAnswer('unknownApp')).to.deep.equal({
      ActionStatus: 'FAIL',
      ErrorInfo: 'unknown SdkAppid',
      ErrorCode: 40301,
    });
    expect(rejectionAnswer('invalidBody', 'GroupId is a required field')).to.deep.equal({
      ActionStatus: 'FAIL',
      ErrorInfo: 'invalid body: GroupId is a required field',
      ErrorCode: 40004,
    });
    expect(failAnswer(1, 'x')).to.deep.equal({ ActionStatus: 'FAIL', ErrorInfo: 'x', ErrorCode: 1 });
  });
});
