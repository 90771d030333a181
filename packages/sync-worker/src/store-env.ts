import { string } from 'yup';

/** Where the stores are: read by the worker and by the backfill command alike. */
export const STORE_ENV = {
  DATABASE_URL: string()
    .matches(/^postgres(ql)?:\/\//, '${path} must be a postgres:// URL')
    .default('postgres://postgres:postgres@127.0.0.1:5432/imsync'),
  DB_SCHEMA: string()
    .matches(/^[a-z_][a-z0-9_]{0,62}$/, '${path} must be a lower-case SQL identifier')
    .default('imsync'),
};
