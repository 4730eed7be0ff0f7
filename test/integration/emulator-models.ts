/** A small hand-written resource model (a storage account) for the emulator's validation tests. */
import type { KindModel } from '../../src/model/index.js';

export const storageAccountModel: KindModel = {
  group: 'storage.azure.com',
  kind: 'StorageAccount',
  versions: ['v20240101'],
  armType: 'Microsoft.Storage/storageAccounts',
  apiVersion: '2024-01-01',
  scope: 'resourceGroup',
  owners: [{ group: 'resources.azure.com', kind: 'ResourceGroup' }],
  exports: [],
  hooks: [],
  body: {
    type: 'object',
    required: ['location', 'sku', 'kind'],
    properties: {
      id: { type: 'string', readOnly: true },
      name: { type: 'string', readOnly: true },
      type: { type: 'string', readOnly: true },
      location: { type: 'string' },
      tags: { type: 'object', additionalProperties: { type: 'string' } },
      kind: { type: 'string', enum: ['Storage', 'StorageV2', 'BlobStorage', 'FileStorage', 'BlockBlobStorage'] },
      sku: {
        type: 'object',
        required: ['name'],
        properties: {
          name: {
            type: 'string',
            enum: ['Standard_LRS', 'Standard_GRS', 'Standard_RAGRS', 'Standard_ZRS', 'Premium_LRS', 'Premium_ZRS'],
          },
          tier: { type: 'string', readOnly: true },
        },
      },
      properties: {
        type: 'object',
        properties: {
          minimumTlsVersion: { type: 'string', enum: ['TLS1_0', 'TLS1_1', 'TLS1_2', 'TLS1_3'] },
          accessTier: { type: 'string', enum: ['Hot', 'Cool', 'Cold', 'Premium'] },
          allowBlobPublicAccess: { type: 'boolean' },
          largeFileSharesState: { type: 'string', enum: ['Disabled', 'Enabled'], extensibleEnum: true },
          primaryEndpoints: { type: 'object', readOnly: true, properties: { blob: { type: 'string' } } },
          provisioningState: { type: 'string', readOnly: true },
          azureFilesIdentityBasedAuthentication: {
            type: 'object',
            properties: { directoryServiceOptions: { type: 'string', enum: ['None', 'AADDS', 'AD', 'AADKERB'] } },
          },
          networkAcls: {
            type: 'object',
            required: ['defaultAction'],
            properties: {
              defaultAction: { type: 'string', enum: ['Allow', 'Deny'] },
              ipRules: {
                type: 'array',
                maxItems: 2,
                items: {
                  type: 'object',
                  required: ['value'],
                  properties: { value: { type: 'string', pattern: '^[0-9./]+$' } },
                },
              },
            },
          },
          customDomain: { type: 'object', properties: { name: { type: 'string', minLength: 3, maxLength: 63 } } },
          immutableStorageWithVersioning: { type: 'object', properties: { enabled: { type: 'boolean' } } },
          sasPolicy: {
            type: 'object',
            properties: {
              sasExpirationPeriod: { type: 'string' },
              expirationAction: { type: 'string', enum: ['Log', 'Block'] },
            },
          },
          keyPolicy: {
            type: 'object',
            properties: { keyExpirationPeriodInDays: { type: 'integer', minimum: 1, maximum: 3650 } },
          },
          adminPassword: { type: 'string', writeOnly: true },
        },
      },
    },
  },
};
