/**
 * RoleDefinition: Azure names custom role definitions by GUID; without `spec.azureName` one is derived from the object.
 */
import { guidNameHooks } from '../guid-name.js';

export const roleDefinitionHooks = guidNameHooks(
  'ARM names role definitions by GUID; ASO derives one from the object when azureName is unset',
);
