// Instant capacity: complexes and their status (the seed's icapstatus), codewords and
// activation (icapmodify), notifications (icapnotify), the ledger, trusted issuers and the
// deploy-check setting. Reads need 'view'; every change 'system.manage'.
import { Type } from 'typebox';
import {
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
} from '../../../api/capacity.js';
import { RefParams } from '../../../api/resources.js';
import type { Services } from '../../services.js';
import { principalOf, type App } from '../types.js';

const tags = ['capacity'];

export async function capacityRoutes(app: App, services: Services): Promise<void> {
  const capacity = services.capacity;

  app.get('/capacity/complexes', {
    config: { permission: 'view' },
    schema: { summary: 'Status of every complex: rights, IA and AA per system, temporary capacity, compliance', tags, response: { 200: ComplexList } },
  }, async () => ({ items: await capacity.list() }));

  app.get('/capacity/complexes/:id', {
    config: { permission: 'view' },
    schema: { summary: 'Status of a complex (by id, name or serial)', tags, params: RefParams, response: { 200: ComplexView } },
  }, async (req) => capacity.get(req.params.id));

  app.post('/capacity/complexes', {
    config: { permission: 'system.manage' },
    schema: { summary: 'Declare a complex: its serial, systems, initial usage rights and Instant Access Capacity', tags, body: CreateComplexRequest, response: { 201: ComplexView } },
  }, async (req, reply) => reply.status(201).send(await capacity.create(req.body, principalOf(req).name)));

  app.patch('/capacity/complexes/:id', {
    config: { permission: 'system.manage' },
    schema: { summary: 'Change a complex: name, installed totals, warning period, exhaustion action, contacts, webhooks', tags, params: RefParams, body: ModifyComplexRequest, response: { 200: ComplexView } },
  }, async (req) => capacity.modify(req.params.id, req.body, principalOf(req).name));

  app.delete('/capacity/complexes/:id', {
    config: { permission: 'system.manage' },
    schema: { summary: 'Remove a complex with its ledger: its systems are no longer governed', tags, params: RefParams, response: { 204: Type.Null() } },
  }, async (req, reply) => {
    await capacity.remove(req.params.id);
    return reply.status(204).send(null);
  });

  app.get('/capacity/complexes/:id/ledger', {
    config: { permission: 'view' },
    schema: { summary: 'The temporary capacity ledger of a complex, newest first', tags, params: RefParams, querystring: LedgerQuery, response: { 200: LedgerList } },
  }, async (req) => ({ items: await capacity.ledger(req.params.id, req.query.limit) }));

  app.post('/capacity/complexes/:id/notifications/test', {
    config: { permission: 'system.manage' },
    schema: { summary: 'Send a test notification to the complex\'s contacts and webhooks', tags, params: RefParams, response: { 200: DeliveryList } },
  }, async (req) => ({ items: await capacity.testNotification(req.params.id) }));

  app.get('/capacity/notifications', {
    config: { permission: 'view' },
    schema: { summary: 'Notifications delivered or failed, newest first', tags, querystring: DeliveryQuery, response: { 200: DeliveryList } },
  }, async (req) => ({ items: await capacity.deliveryLog(req.query) }));

  app.post('/capacity/codewords', {
    config: { permission: 'system.manage' },
    schema: { summary: 'Apply a codeword (right to use, temporary capacity) to its complex', tags, body: ApplyCodewordRequest, response: { 200: AppliedCodeword } },
  }, async (req) => capacity.applyCodeword(req.body, principalOf(req).name));

  app.post('/capacity/systems/:id/activate', {
    config: { permission: 'system.manage' },
    schema: { summary: 'Activate cores, memory or cells on a system: within the rights, or cores with temporary capacity', tags, params: RefParams, body: ActivationRequest, response: { 200: ComplexView } },
  }, async (req) => capacity.activate(req.params.id, req.body, principalOf(req).name));

  app.post('/capacity/systems/:id/deactivate', {
    config: { permission: 'system.manage' },
    schema: { summary: 'Deactivate cores, memory or cells on a system (always allowed)', tags, params: RefParams, body: ActivationRequest, response: { 200: ComplexView } },
  }, async (req) => capacity.deactivate(req.params.id, req.body, principalOf(req).name));

  app.post('/capacity/move', {
    config: { permission: 'system.manage' },
    schema: { summary: 'Move active cores between two systems of one complex', tags, body: MoveRequest, response: { 200: ComplexView } },
  }, async (req) => capacity.move(req.body, principalOf(req).name));

  app.get('/capacity/issuers', {
    config: { permission: 'view' },
    schema: { summary: 'The codeword issuers this manager trusts', tags, response: { 200: IssuerKeyList } },
  }, async () => ({ items: await capacity.issuers.list() }));

  app.post('/capacity/issuers', {
    config: { permission: 'system.manage' },
    schema: { summary: 'Trust a codeword issuer\'s Ed25519 public key', tags, body: AddIssuerKeyRequest, response: { 201: IssuerKeyView } },
  }, async (req, reply) => reply.status(201).send(await capacity.issuers.add(req.body)));

  app.delete('/capacity/issuers/:id', {
    config: { permission: 'system.manage' },
    schema: { summary: 'Stop trusting a codeword issuer (added through the API)', tags, params: RefParams, response: { 204: Type.Null() } },
  }, async (req, reply) => {
    await capacity.issuers.remove(req.params.id);
    return reply.status(204).send(null);
  });

  app.get('/capacity/settings', {
    config: { permission: 'view' },
    schema: { summary: 'Instant capacity settings', tags, response: { 200: CapacitySettings } },
  }, async () => capacity.settings());

  app.put('/capacity/settings', {
    config: { permission: 'system.manage' },
    schema: { summary: 'Change the instant capacity settings', tags, body: CapacitySettings, response: { 200: CapacitySettings } },
  }, async (req) => capacity.setSettings(req.body));
}
