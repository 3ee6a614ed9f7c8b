// Per-WPAR network namespaces on host bridges.
export { ensureBridge, deleteBridge } from './bridge.js';
export { createWparNetns, deleteWparNetns, netnsPath, NETNS_DIR } from './netns.js';
export { announce } from './announce.js';
export { readNeighbours, settleNeighbours, type Neighbour } from './neighbours.js';
export { hostVethName, vethPrefix, wparMac } from './names.js';
