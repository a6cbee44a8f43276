/**
 * A TCP proxy in front of a server (a redis-server), which a test can cut and restore on the same port: cut, every
 * connection through it is closed and new ones are refused, as when the server is stopped or the network between
 * goes; restored, it accepts again. The server behind keeps its data, so a test can see what a re-run does with it.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from './redis';

export interface TcpProxy {
	port: number;
	cut(): Promise<void>;
	restore(): Promise<void>;
	stop(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, host = '127.0.0.1'): Promise<TcpProxy> {
	const port = await freePort();
	const sockets = new Set<Socket>();
	let server: Server | undefined;
	const listen = async () => {
		const s = createServer((client) => {
			const upstream = connect(targetPort, host);
			for (const socket of [client, upstream]) {
				sockets.add(socket);
				socket.on('close', () => sockets.delete(socket));
				socket.on('error', () => undefined);
			}
			client.pipe(upstream);
			upstream.pipe(client);
			client.on('close', () => upstream.destroy());
			upstream.on('close', () => client.destroy());
		});
		await new Promise<void>((resolve, reject) => {
			s.once('error', reject);
			s.listen(port, host, () => resolve());
		});
		server = s;
	};
	const cut = async () => {
		const s = server;
		server = undefined;
		for (const socket of sockets) socket.destroy();
		if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
	};
	await listen();
	return { port, cut, restore: listen, stop: cut };
}
