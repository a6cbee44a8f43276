import type { INodeProperties } from 'n8n-workflow';
import { statusBuiltin } from '../../shared/verification/builtin';
import { BUILTIN, enginesWhere } from '../../shared/verification/engines';
import { byIdOperation, serviceOptionsProperty, verificationIdProperty } from './common';

/** Engines that can say where a verification stands without using up a check. */
export const STATUS_ENGINES = enginesWhere((e) => (e.kind === 'builtin' ? e.value === BUILTIN : e.verify.status !== undefined));

export const description: INodeProperties[] = [
	verificationIdProperty('getStatus', 'The verificationId the Send Code operation returned'),
	serviceOptionsProperty('getStatus'),
];

export const getStatus = byIdOperation({
	call: (verify) => verify.status,
	builtin: statusBuiltin,
	unsupported: (label) => [`${label} cannot look a verification up`, 'Use Check Code with the code instead.'],
});
