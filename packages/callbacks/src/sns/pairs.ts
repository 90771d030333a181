import { array, object } from 'yup';
import { account } from '../common.js';

/** `PairList: [{ From_Account, To_Account }]`: the relation runs from From_Account to To_Account. */
export const pairList = () =>
  array()
    .of(object({ From_Account: account(), To_Account: account() }))
    .required()
    .min(1);
