import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * A service's JSON logger (to stdout unless told otherwise): every line names the service, and an
 * Authorization header is never written.
 */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service }, redact: ['req.headers.authorization'] };
  return destination ? pino(options, destination) : pino(options);
}
