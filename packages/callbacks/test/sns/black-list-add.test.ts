import { describePairListCommand } from './pair-list.js';

describePairListCommand('Sns.CallbackBlackListAdd', 'To_Account added to From_Account');
