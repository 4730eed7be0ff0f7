/** A hand-written kind model for the model module's unit tests (a fictional Microsoft.Test/widgets). */
import type { KindModel } from '../types.js';

/** A resource-group kind exercising every conversion rule. */
export function widgetModel(): KindModel {
  return {
    group: 'test.azure.com',
    kind: 'Widget',
    versions: ['v20240101', 'v1api20240101'],
    armType: 'Microsoft.Test/widgets',
    apiVersion: '2024-01-01',
    scope: 'resourceGroup',
    owners: [{ group: 'resources.azure.com', kind: 'ResourceGroup' }],
    exports: [
      { name: 'primaryKey', from: 'action', action: 'listKeys', path: 'primaryKey', secret: true },
      { name: 'endpoint', from: 'status', path: 'properties.endpoint', secret: false },
    ],
    hooks: [],
    body: {
      type: 'object',
      required: ['name', 'location'],
      properties: {
        id: { type: 'string', readOnly: true },
        name: { type: 'string', pattern: '^[a-z]+$', maxLength: 10 },
        type: { type: 'string', readOnly: true },
        location: { type: 'string' },
        tags: { type: 'object', additionalProperties: { type: 'string' } },
        identity: {
          type: 'object',
          properties: {
            type: { type: 'string', enum: ['None', 'UserAssigned'] },
            principalId: { type: 'string', readOnly: true },
            userAssignedIdentities: {
              type: 'object',
              additionalProperties: { type: 'object', properties: { clientId: { type: 'string', readOnly: true } } },
            },
          },
        },
        properties: {
          type: 'object',
          required: ['size'],
          properties: {
            size: { type: 'integer', minimum: 1, maximum: 10 },
            mode: { type: 'string', enum: ['A', 'B'], extensibleEnum: true },
            subnetId: { type: 'string', reference: true },
            scopes: { type: 'array', items: { type: 'string', reference: true } },
            roleDefinitionId: { type: 'string', reference: true, wellKnownReference: true },
            password: { type: 'string', secret: true, writeOnly: true },
            tenantId: { type: 'string', configMapInput: true },
            endpoint: { type: 'string', readOnly: true },
            stats: { type: 'object', readOnly: true, properties: { count: { type: 'integer' } } },
            network: { type: 'object', properties: { id: { type: 'string', reference: true } } },
            rules: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  name: { type: 'string' },
                  properties: {
                    type: 'object',
                    properties: { priority: { type: 'integer' }, state: { type: 'string', readOnly: true } },
                  },
                },
              },
            },
            policy: {
              type: 'object',
              properties: { migrationState: { type: 'string', readOnly: true } },
              discriminator: {
                property: 'kind',
                variants: {
                  Periodic: {
                    type: 'object',
                    required: ['kind'],
                    properties: { kind: { type: 'string', enum: ['Periodic'] }, interval: { type: 'integer' } },
                  },
                  Continuous: {
                    type: 'object',
                    required: ['kind'],
                    properties: { kind: { type: 'string', enum: ['Continuous'] }, tier: { type: 'string' } },
                  },
                },
              },
            },
            labels: { type: 'object', additionalProperties: { type: 'string' } },
            extra: { type: 'any' },
          },
        },
      },
    },
  };
}
