// Live relocation: the request a user makes, what the manager asks of the two agents, and
// what a relocation reports. One source of truth for the manager, the agents, CLI and console.
import { Type, type Static } from 'typebox';
import { Ref } from './resources.js';
import { WparSpec } from './wpar.js';

/**
 * How memory moves, best first: post-copy (the WPAR resumes on arrival at once, its pages
 * follow on demand), iterative pre-copy (needs dirty-page tracking), stop-and-copy.
 */
export const MEMORY_METHODS = ['postCopy', 'preCopy', 'stopAndCopy'] as const;
export type MemoryMethod = (typeof MEMORY_METHODS)[number];

export const RelocateRequest = Type.Object(
  {
    /** The arrival system; absent: chosen automatically (fully compatible systems of the group's domain). */
    to: Type.Optional(Ref),
    /** Go ahead to a system that is less than fully compatible. */
    confirm: Type.Optional(Type.Boolean()),
    /** Force a memory method (it must be one both hosts support); default: the best both support. */
    method: Type.Optional(Type.Enum(MEMORY_METHODS)),
    /** End the sessions open in the WPAR (clogin, console: their processes cannot move); without it such a WPAR is not moved (CAP-E1022). */
    force: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type RelocateRequest = Static<typeof RelocateRequest>;

/**
 * How the images and writable layer go from the departure to the arrival: streamed between
 * the two agents over mutual TLS, or through a state directory both hosts share.
 */
export const IMAGE_TRANSPORTS = ['agents', 'sharedStateDir'] as const;
export type ImageTransport = (typeof IMAGE_TRANSPORTS)[number];

/** Where an agent reaches the other agent of a relocation. */
export const RelocationPeer = Type.Object({ systemId: Type.String(), host: Type.String(), agentPort: Type.Integer({ minimum: 1, maximum: 65535 }) });
export type RelocationPeer = Static<typeof RelocationPeer>;

/** Manager → arrival agent: expect this WPAR from that departure system. */
export interface ArriveRequest {
  type: 'arrive';
  id: string;
  relocationId: string;
  spec: WparSpec;
  method: MemoryMethod;
  transport: ImageTransport;
  departure: RelocationPeer;
}

/** Manager → departure agent: move this WPAR to that arrival system (answered once it runs there, or is back here). */
export interface DepartRequest {
  type: 'depart';
  id: string;
  relocationId: string;
  name: string;
  method: MemoryMethod;
  transport: ImageTransport;
  /** This (the departure) system's host as the manager knows it: the relocation log is kept under it on both sides. */
  departureHost: string;
  arrival: RelocationPeer;
  /** End the WPAR's open sessions first, telling their users this; without it they refuse the move. */
  endSessions?: string;
}

/**
 * Manager → either agent, after a relocation ended or was interrupted: keep this host's copy
 * of the WPAR running ('keep'), remove whatever of it is here ('drop'), or only say what
 * state it is in here ('probe': the result's state, none when it is not here).
 */
export interface SettleRequest {
  type: 'settle';
  id: string;
  relocationId: string;
  name: string;
  outcome: 'keep' | 'drop' | 'probe';
}

/** What the arrival agent answers the departure agent once the WPAR runs there. */
export interface Arrived {
  /** Epoch ms when the WPAR was resumed on the arrival host. */
  resumedAt: number;
}

/** Timings of a relocation, in milliseconds. */
export const RelocationTimings = Type.Object({
  method: Type.Enum(MEMORY_METHODS),
  /** From the WPAR's freeze on departure to its resume on arrival. */
  frozenMs: Type.Number(),
  totalMs: Type.Number(),
  /** Bytes of checkpoint images and writable layer sent (pages owed by post-copy not included). */
  imageBytes: Type.Number(),
});
export type RelocationTimings = Static<typeof RelocationTimings>;

/** The result of a relocation task. */
export interface RelocationResult {
  wparId: string;
  systemId: string;
  systemName: string;
}
