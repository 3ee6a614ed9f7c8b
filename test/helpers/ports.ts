// A TCP port free on loopback right now, for a server a test configures before starting it.
export { freePort } from '../../src/agent/net/ports.js';
