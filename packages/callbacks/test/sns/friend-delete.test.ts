import { describePairListCommand } from './pair-list.js';

describePairListCommand('Sns.CallbackFriendDelete', 'To_Account removed from From_Account');
