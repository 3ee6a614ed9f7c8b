// Routes of instant capacity: complexes and their status, codewords and activation,
// notifications, the ledger, the activation log, trusted issuers and the settings. Reads
// need 'view'; every change 'system.manage'.
import { Type } from 'typebox';
import {
  ActivationLogExportQuery,
  ActivationLogPage,
  ActivationLogQuery,
  ActivationRequest,
  AddIssuerKeyRequest,
  AppliedCodeword,
  ApplyCodewordRequest,
  CapacitySettings,
  ComplexList,
  ComplexView,
  CreateComplexRequest,
  DeliveryList,
  DeliveryQuery,
  IssuerKeyList,
  IssuerKeyView,
  LedgerList,
  LedgerQuery,
  ModifyComplexRequest,
  MoveRequest,
} from '../capacity.js';
import { RefParams } from '../resources.js';
import type { RouteDefinition } from '../route-definition.js';

const tags = ['capacity'];
const noContent = { 204: Type.Null() };

export const capacityRoutes = {
  list: {
    method: 'GET', path: '/capacity/complexes', permission: 'view',
    schema: { summary: 'Status of every complex: rights, IA and AA per system, temporary capacity, compliance', tags, response: { 200: ComplexList } },
  },
  get: {
    method: 'GET', path: '/capacity/complexes/:id', permission: 'view',
    schema: { summary: 'Status of a complex (by id, name or serial)', tags, params: RefParams, response: { 200: ComplexView } },
  },
  create: {
    method: 'POST', path: '/capacity/complexes', permission: 'system.manage',
    schema: { summary: 'Declare a complex: its serial, systems, initial usage rights and Instant Access Capacity', tags, body: CreateComplexRequest, response: { 201: ComplexView } },
  },
  modify: {
    method: 'PATCH', path: '/capacity/complexes/:id', permission: 'system.manage',
    schema: { summary: 'Change a complex: name, installed totals, warning period, exhaustion action, contacts, webhooks', tags, params: RefParams, body: ModifyComplexRequest, response: { 200: ComplexView } },
  },
  remove: {
    method: 'DELETE', path: '/capacity/complexes/:id', permission: 'system.manage',
    schema: { summary: 'Remove a complex with its ledger: its systems are no longer governed; its serial\'s applied codewords are kept, never to apply again', tags, params: RefParams, response: noContent },
  },
  ledger: {
    method: 'GET', path: '/capacity/complexes/:id/ledger', permission: 'view',
    schema: { summary: 'The temporary capacity ledger of a complex, newest first', tags, params: RefParams, querystring: LedgerQuery, response: { 200: LedgerList } },
  },
  log: {
    method: 'GET', path: '/capacity/log', permission: 'view',
    schema: { summary: 'The activation log: every capacity change (who, what, codeword, when), newest first; filter by complex, system and time, page with limit and offset', tags, querystring: ActivationLogQuery, response: { 200: ActivationLogPage } },
  },
  /** CSV, not JSON: the console downloads it; the CLI prints it (capstan capacity log --csv). */
  logCsv: {
    method: 'GET', path: '/capacity/log/csv', permission: 'view',
    schema: {
      summary: 'The activation log as CSV (RFC 4180, a header row, newest first), with the same filters',
      tags,
      querystring: ActivationLogExportQuery,
      produces: ['text/csv'],
      response: { 200: { description: 'text/csv; one row per entry, the columns of ACTIVATION_LOG_CSV_COLUMNS', content: { 'text/csv': { schema: { type: 'string' } } } } },
    },
  },
  testNotification: {
    method: 'POST', path: '/capacity/complexes/:id/notifications/test', permission: 'system.manage',
    schema: { summary: 'Send a test notification to the complex\'s contacts and webhooks', tags, params: RefParams, response: { 200: DeliveryList } },
  },
  notifications: {
    method: 'GET', path: '/capacity/notifications', permission: 'view',
    schema: { summary: 'Notifications delivered or failed, newest first', tags, querystring: DeliveryQuery, response: { 200: DeliveryList } },
  },
  applyCodeword: {
    method: 'POST', path: '/capacity/codewords', permission: 'system.manage',
    schema: { summary: 'Apply a codeword (right to use, temporary capacity) to its complex', tags, body: ApplyCodewordRequest, response: { 200: AppliedCodeword } },
  },
  activate: {
    method: 'POST', path: '/capacity/systems/:id/activate', permission: 'system.manage',
    schema: { summary: 'Activate cores, memory or cells on a system: within the rights, or cores with temporary capacity', tags, params: RefParams, body: ActivationRequest, response: { 200: ComplexView } },
  },
  deactivate: {
    method: 'POST', path: '/capacity/systems/:id/deactivate', permission: 'system.manage',
    schema: { summary: 'Deactivate cores, memory or cells on a system (always allowed)', tags, params: RefParams, body: ActivationRequest, response: { 200: ComplexView } },
  },
  move: {
    method: 'POST', path: '/capacity/move', permission: 'system.manage',
    schema: { summary: 'Move active cores between two systems of one complex', tags, body: MoveRequest, response: { 200: ComplexView } },
  },
  issuers: {
    method: 'GET', path: '/capacity/issuers', permission: 'view',
    schema: { summary: 'The codeword issuers this manager trusts', tags, response: { 200: IssuerKeyList } },
  },
  addIssuer: {
    method: 'POST', path: '/capacity/issuers', permission: 'system.manage',
    schema: { summary: 'Trust a codeword issuer\'s Ed25519 public key', tags, body: AddIssuerKeyRequest, response: { 201: IssuerKeyView } },
  },
  removeIssuer: {
    method: 'DELETE', path: '/capacity/issuers/:id', permission: 'system.manage',
    schema: { summary: 'Stop trusting a codeword issuer (added through the API)', tags, params: RefParams, response: noContent },
  },
  settings: {
    method: 'GET', path: '/capacity/settings', permission: 'view',
    schema: { summary: 'Instant capacity settings', tags, response: { 200: CapacitySettings } },
  },
  setSettings: {
    method: 'PUT', path: '/capacity/settings', permission: 'system.manage',
    schema: { summary: 'Change the instant capacity settings', tags, body: CapacitySettings, response: { 200: CapacitySettings } },
  },
} as const satisfies Record<string, RouteDefinition>;
