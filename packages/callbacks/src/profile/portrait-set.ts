import { array, object, type InferType } from 'yup';
import { account, eventTime, scalar, trimmed, optionalAccount } from '../common.js';

/** Profile.CallbackPortraitSet: a user's profile changed; only the changed tags are sent. */
export const ProfilePortraitSet = object({
  EventTime: eventTime().optional(),
  Operator_Account: optionalAccount(),
  From_Account: account(),
  ProfileItem: array()
    .of(object({ Tag: trimmed().required(), Value: scalar().defined() }))
    .required(),
});
export type ProfilePortraitSet = InferType<typeof ProfilePortraitSet>;
