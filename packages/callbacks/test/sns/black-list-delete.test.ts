import { describePairListCommand } from './pair-list.js';

describePairListCommand('Sns.CallbackBlackListDelete', 'To_Account removed from From_Account');
