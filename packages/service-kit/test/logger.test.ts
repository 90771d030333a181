import { expect } from 'chai';
import { createLogger } from '../src/index.js';

describe('createLogger', () => {
  it('writes JSON lines naming the service, at the level asked, never an Authorization header', () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('test-service', 'info', {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    logger.debug('not written');
    logger.info({ req: { headers: { authorization: 'Basic c2VjcmV0', host: 'h' } } }, 'hello');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.deep.include({ service: 'test-service', msg: 'hello', level: 30 });
    expect(lines[0]!.req).to.deep.equal({ headers: { authorization: '[Redacted]', host: 'h' } });
  });
});
