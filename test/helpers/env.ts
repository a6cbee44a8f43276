import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core writes an encryption key into N8N_USER_FOLDER; never into the developer's ~/.n8n.
if (!process.env.N8N_USER_FOLDER?.includes('n8n-gateway-test-')) {
	process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'n8n-gateway-test-'));
}
