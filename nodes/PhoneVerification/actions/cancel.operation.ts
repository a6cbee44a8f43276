import type { INodeProperties } from 'n8n-workflow';
import { cancelBuiltin } from '../../shared/verification/builtin';
import { BUILTIN, enginesWhere } from '../../shared/verification/engines';
import { byIdOperation, serviceOptionsProperty, verificationIdProperty } from './common';

/** Engines that can cancel: built-in codes, and the services that offer it. */
export const CANCEL_ENGINES = enginesWhere((e) => (e.kind === 'builtin' ? e.value === BUILTIN : e.verify.cancel !== undefined));

export const description: INodeProperties[] = [
	verificationIdProperty('cancel', 'The verificationId the Send Code operation returned. Its code stops working at once.'),
	serviceOptionsProperty('cancel'),
];

export const cancel = byIdOperation({
	call: (verify) => verify.cancel,
	builtin: cancelBuiltin,
	unsupported: (label) => [`${label} cannot cancel a verification`, 'Its codes stop working when they expire. Nothing was changed.'],
});
