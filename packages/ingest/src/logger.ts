import { pino, type Logger } from 'pino';

export function createLogger(service: string, level: string): Logger {
  return pino({ level, base: { service }, redact: ['req.headers.authorization'] });
}
