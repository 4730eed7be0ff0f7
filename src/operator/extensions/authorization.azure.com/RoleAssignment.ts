/**
 * RoleAssignment: Azure requires a GUID name; without `spec.azureName` it is a UUIDv5 of the object's identity, stable
 * across reconciles and operator restarts.
 */
import { guidNameHooks } from '../guid-name.js';

export const roleAssignmentHooks = guidNameHooks(
  'ARM names role assignments by GUID; ASO derives one from the object when azureName is unset',
);
