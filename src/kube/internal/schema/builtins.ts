/**
 * Hand-written schemas (JSONSchemaProps of the whole object) of the built-in kinds the API server serves, with
 * Kubernetes' descriptions (they feed `kubectl explain` and OpenAPI) and the list types server-side apply needs.
 * Keys are "group/version/Kind" with "" for the core group. Used for strict unknown-field detection on built-ins:
 * `pruneUnknownFields(object, builtinSchemas['/v1/ConfigMap'])` reports `data2` as an unknown field.
 */
import { objectMetaSchema } from './object-meta.js';
import { renderedBuiltinSchemas } from './rendered-builtins.js';
import type { JSONSchemaProps } from './types.js';

const str = (description: string, extra: JSONSchemaProps = {}): JSONSchemaProps => ({
  type: 'string',
  description,
  ...extra,
});
const int32 = (description: string): JSONSchemaProps => ({ type: 'integer', format: 'int32', description });
const bool = (description: string): JSONSchemaProps => ({ type: 'boolean', description });
const time = (description: string): JSONSchemaProps => ({ type: 'string', format: 'date-time', description });
const stringMap = (description: string, values: JSONSchemaProps = { type: 'string' }): JSONSchemaProps => ({
  type: 'object',
  description,
  additionalProperties: values,
});
const stringList = (description: string, extra: JSONSchemaProps = {}): JSONSchemaProps => ({
  type: 'array',
  description,
  items: { type: 'string' },
  ...extra,
});

/** The apiVersion/kind/metadata properties every object has. */
function objectRoot(
  description: string,
  properties: Record<string, JSONSchemaProps>,
  extra: JSONSchemaProps = {},
): JSONSchemaProps {
  return {
    type: 'object',
    description,
    properties: {
      apiVersion: str(
        'APIVersion defines the versioned schema of this representation of an object. Servers should convert ' +
          'recognized schemas to the latest internal value, and may reject unrecognized values.',
      ),
      kind: str(
        'Kind is a string value representing the REST resource this object represents. Servers may infer this ' +
          'from the endpoint the client submits requests to. Cannot be updated. In CamelCase.',
      ),
      metadata: { ...objectMetaSchema, description: "Standard object's metadata." },
      ...properties,
    },
    ...extra,
  };
}

const objectReference: JSONSchemaProps = {
  type: 'object',
  description: 'ObjectReference contains enough information to let you inspect or modify the referred object.',
  properties: {
    apiVersion: str('API version of the referent.'),
    kind: str('Kind of the referent.'),
    name: str('Name of the referent.'),
    namespace: str('Namespace of the referent.'),
    uid: str('UID of the referent.'),
    resourceVersion: str('Specific resourceVersion to which this reference is made, if any.'),
    fieldPath: str(
      'If referring to a piece of an object instead of an entire object, this string should contain a valid ' +
        'JSON/Go field access statement, such as desiredState.manifest.containers[2].',
    ),
  },
  'x-kubernetes-map-type': 'atomic',
};

const condition = (description: string): JSONSchemaProps => ({
  type: 'object',
  description,
  required: ['type', 'status'],
  properties: {
    type: str('Type of the condition.'),
    status: str('Status of the condition, one of True, False, Unknown.'),
    lastTransitionTime: time('Last time the condition transitioned from one status to another.'),
    reason: str("Unique, one-word, CamelCase reason for the condition's last transition."),
    message: str('Human-readable message indicating details about last transition.'),
  },
});

const conditionList = (description: string): JSONSchemaProps => ({
  type: 'array',
  description,
  items: condition(description),
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
  'x-kubernetes-patch-strategy': 'merge',
  'x-kubernetes-patch-merge-key': 'type',
});

const namespace = objectRoot('Namespace provides a scope for Names. Use of multiple namespaces is optional.', {
  spec: {
    type: 'object',
    description: 'Spec defines the behavior of the Namespace.',
    properties: {
      finalizers: stringList(
        'Finalizers is an opaque list of values that must be empty to permanently remove object from storage.',
        { 'x-kubernetes-list-type': 'atomic' },
      ),
    },
  },
  status: {
    type: 'object',
    description: 'Status describes the current status of a Namespace.',
    properties: {
      phase: str('Phase is the current lifecycle phase of the namespace.', { enum: ['Active', 'Terminating'] }),
      conditions: conditionList("Represents the latest available observations of a namespace's current state."),
    },
  },
});

const configMap = objectRoot('ConfigMap holds configuration data for pods to consume.', {
  data: stringMap(
    "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. " +
      'Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not ' +
      'overlap with the keys in the BinaryData field.',
  ),
  binaryData: stringMap(
    "BinaryData contains the binary data. Each key must consist of alphanumeric characters, '-', '_' or '.'. " +
      'BinaryData can contain byte sequences that are not in the UTF-8 range.',
    { type: 'string', format: 'byte' },
  ),
  immutable: bool(
    'Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object ' +
      'metadata can be modified).',
  ),
});

const secret = objectRoot(
  'Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than ' +
    'MaxSecretSize bytes.',
  {
    data: stringMap(
      "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The " +
        'serialized form of the secret data is a base64 encoded string.',
      { type: 'string', format: 'byte' },
    ),
    stringData: stringMap(
      'stringData allows specifying non-binary secret data in string form. It is provided as a write-only input ' +
        'field for convenience. All keys and values are merged into the data field on write, overwriting any ' +
        'existing values. The stringData field is never output when reading from the API.',
    ),
    type: str('Used to facilitate programmatic handling of secret data.'),
    immutable: bool(
      'Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata ' +
        'can be modified).',
    ),
  },
);

const eventSource: JSONSchemaProps = {
  type: 'object',
  description: 'EventSource contains information for an event.',
  properties: {
    component: str('Component from which the event is generated.'),
    host: str('Node name on which the event is generated.'),
  },
};

const coreEvent = objectRoot(
  'Event is a report of an event somewhere in the cluster. Events have a limited retention time and triggers and ' +
    'messages may evolve with time.',
  {
    involvedObject: { ...objectReference, description: 'The object that this event is about.' },
    reason: str(
      'This should be a short, machine understandable string that gives the reason for the transition into the ' +
        "object's current status.",
    ),
    message: str('A human-readable description of the status of this operation.'),
    source: {
      ...eventSource,
      description: 'The component reporting this event. Should be a short machine understandable string.',
    },
    firstTimestamp: time('The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)'),
    lastTimestamp: time('The time at which the most recent occurrence of this event was recorded.'),
    count: int32('The number of times this event has occurred.'),
    type: str('Type of this event (Normal, Warning), new types could be added in the future'),
    eventTime: { ...time('Time when this Event was first observed.'), nullable: true },
    series: {
      type: 'object',
      description: "Data about the Event series this event represents or nil if it's a singleton Event.",
      properties: {
        count: int32('Number of occurrences in this series up to the last heartbeat time'),
        lastObservedTime: time('Time of the last occurrence observed'),
      },
    },
    action: str('What action was taken/failed regarding to the Regarding object.'),
    related: { ...objectReference, description: 'Optional secondary object for more complex actions.' },
    reportingComponent: str('Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.'),
    reportingInstance: str('ID of the controller instance, e.g. `kubelet-xyzf`.'),
  },
  { required: ['metadata', 'involvedObject'] },
);

const eventsEvent = objectRoot(
  'Event is a report of an event somewhere in the cluster. It generally denotes some state change in the system. ' +
    'Events have a limited retention time and triggers and messages may evolve with time.',
  {
    eventTime: time('eventTime is the time when this Event was first observed. It is required.'),
    series: {
      type: 'object',
      description: "series is data about the Event series this event represents or nil if it's a singleton Event.",
      required: ['count', 'lastObservedTime'],
      properties: {
        count: int32('count is the number of occurrences in this series up to the last heartbeat time.'),
        lastObservedTime: time(
          'lastObservedTime is the time when last Event from the series was seen before last heartbeat.',
        ),
      },
    },
    reportingController: str(
      'reportingController is the name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`. ' +
        'This field cannot be empty for new Events.',
    ),
    reportingInstance: str(
      'reportingInstance is the ID of the controller instance, e.g. `kubelet-xyzf`. This field cannot be empty ' +
        'for new Events and it can have at most 128 characters.',
    ),
    action: str('action is what action was taken/failed regarding to the regarding object. It is machine-readable.'),
    reason: str('reason is why the action was taken. It is human-readable.'),
    regarding: { ...objectReference, description: 'regarding contains the object this Event is about.' },
    related: { ...objectReference, description: 'related is the optional secondary object for more complex actions.' },
    note: str(
      'note is a human-readable description of the status of this operation. Maximal length of the note is 1kB, ' +
        'but libraries should be prepared to handle values up to 64kB.',
    ),
    type: str(
      'type is the type of this event (Normal, Warning), new types could be added in the future. It is ' +
        'machine-readable.',
    ),
    deprecatedSource: {
      ...eventSource,
      description: 'deprecatedSource is the deprecated field assuring backward compatibility with core.v1 Event type.',
    },
    deprecatedFirstTimestamp: time(
      'deprecatedFirstTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type.',
    ),
    deprecatedLastTimestamp: time(
      'deprecatedLastTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type.',
    ),
    deprecatedCount: int32(
      'deprecatedCount is the deprecated field assuring backward compatibility with core.v1 Event type.',
    ),
  },
  { required: ['eventTime'] },
);

const lease = objectRoot('Lease defines a lease concept.', {
  spec: {
    type: 'object',
    description: 'spec contains the specification of the Lease.',
    properties: {
      holderIdentity: str('holderIdentity contains the identity of the holder of a current lease.'),
      leaseDurationSeconds: int32(
        'leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it. This ' +
          'is measured against the time of last observed renewTime.',
      ),
      acquireTime: time('acquireTime is a time when the current lease was acquired.'),
      renewTime: time('renewTime is a time when the current holder of a lease has last updated the lease.'),
      leaseTransitions: int32('leaseTransitions is the number of transitions of a lease between holders.'),
      strategy: str('Strategy indicates the strategy for picking the leader for coordinated leader election.'),
      preferredHolder: str(
        'PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up.',
      ),
    },
  },
});

const serviceAccount = objectRoot(
  'ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an ' +
    'identity * a principal that can be authenticated and authorized * a set of secrets',
  {
    secrets: {
      type: 'array',
      description:
        'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are ' +
        'allowed to use.',
      items: objectReference,
      'x-kubernetes-list-type': 'atomic',
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'name',
    },
    imagePullSecrets: {
      type: 'array',
      description:
        'ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images ' +
        'in pods that reference this ServiceAccount.',
      items: {
        type: 'object',
        description:
          'LocalObjectReference contains enough information to let you locate the referenced object inside the ' +
          'same namespace.',
        properties: { name: str('Name of the referent.') },
        'x-kubernetes-map-type': 'atomic',
      },
      'x-kubernetes-list-type': 'atomic',
    },
    automountServiceAccountToken: bool(
      'AutomountServiceAccountToken indicates whether pods running as this service account should have an API ' +
        'token automatically mounted.',
    ),
  },
);

const crdNames: JSONSchemaProps = {
  type: 'object',
  description: 'CustomResourceDefinitionNames indicates the names to serve this CustomResourceDefinition',
  required: ['plural', 'kind'],
  properties: {
    plural: str(
      'plural is the plural name of the resource to serve. The custom resources are served under ' +
        '`/apis/<group>/<version>/.../<plural>`. Must match the name of the CustomResourceDefinition (in the form ' +
        '`<names.plural>.<group>`). Must be all lowercase.',
    ),
    singular: str(
      'singular is the singular name of the resource. It must be all lowercase. Defaults to lowercased `kind`.',
    ),
    shortNames: stringList(
      'shortNames are short names for the resource, exposed in API discovery documents, and used by clients to ' +
        'support invocations like `kubectl get <shortname>`. It must be all lowercase.',
      { 'x-kubernetes-list-type': 'atomic' },
    ),
    kind: str(
      'kind is the serialized kind of the resource. It is normally CamelCase and singular. Custom resource ' +
        'instances will use this value as the `kind` attribute in API calls.',
    ),
    listKind: str('listKind is the serialized kind of the list for this resource. Defaults to "`kind`List".'),
    categories: stringList(
      "categories is a list of grouped resources this custom resource belongs to (e.g. 'all'). This is published " +
        'in API discovery documents, and used by clients to support invocations like `kubectl get all`.',
      { 'x-kubernetes-list-type': 'atomic' },
    ),
  },
};

const crdVersion: JSONSchemaProps = {
  type: 'object',
  description: 'CustomResourceDefinitionVersion describes a version for CRD.',
  required: ['name', 'served', 'storage'],
  properties: {
    name: str(
      'name is the version name, e.g. “v1”, “v2beta1”, etc. The custom resources are served under this version ' +
        'at `/apis/<group>/<version>/...` if `served` is true.',
    ),
    served: bool('served is a flag enabling/disabling this version from being served via REST APIs'),
    storage: bool(
      'storage indicates this version should be used when persisting custom resources to storage. There must be ' +
        'exactly one version with storage=true.',
    ),
    deprecated: bool(
      'deprecated indicates this version of the custom resource API is deprecated. When set to true, API ' +
        'requests to this version receive a warning header in the server response. Defaults to false.',
    ),
    deprecationWarning: str(
      'deprecationWarning overrides the default warning returned to API clients. May only be set when ' +
        '`deprecated` is true.',
    ),
    schema: {
      type: 'object',
      description:
        'schema describes the schema used for validation, pruning, and defaulting of this version of the custom ' +
        'resource.',
      properties: {
        openAPIV3Schema: {
          type: 'object',
          description: 'openAPIV3Schema is the OpenAPI v3 schema to use for validation and pruning.',
          'x-kubernetes-preserve-unknown-fields': true,
        },
      },
    },
    subresources: {
      type: 'object',
      description: 'subresources specify what subresources this version of the defined custom resource have.',
      properties: {
        status: {
          type: 'object',
          description:
            'status indicates the custom resource should serve a `/status` subresource. When enabled: 1. ' +
            'requests to the custom resource primary endpoint ignore changes to the `status` stanza of the ' +
            'object. 2. requests to the custom resource `/status` subresource ignore changes to anything other ' +
            'than the `status` stanza of the object.',
        },
        scale: {
          type: 'object',
          description:
            'scale indicates the custom resource should serve a `/scale` subresource that returns an ' +
            '`autoscaling/v1` Scale object.',
          required: ['specReplicasPath', 'statusReplicasPath'],
          properties: {
            specReplicasPath: str(
              'specReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale ' +
                '`spec.replicas`.',
            ),
            statusReplicasPath: str(
              'statusReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale ' +
                '`status.replicas`.',
            ),
            labelSelectorPath: str(
              'labelSelectorPath defines the JSON path inside of a custom resource that corresponds to Scale ' +
                '`status.selector`.',
            ),
          },
        },
      },
    },
    additionalPrinterColumns: {
      type: 'array',
      description:
        'additionalPrinterColumns specifies additional columns returned in Table output. If no columns are ' +
        'specified, a single column displaying the age of the custom resource is used.',
      'x-kubernetes-list-type': 'atomic',
      items: {
        type: 'object',
        description: 'CustomResourceColumnDefinition specifies a column for server side printing.',
        required: ['name', 'type', 'jsonPath'],
        properties: {
          name: str('name is a human readable name for the column.'),
          type: str(
            'type is an OpenAPI type definition for this column. See ' +
              'https://github.com/OAI/OpenAPI-Specification/blob/master/versions/2.0.md#data-types for details.',
          ),
          format: str(
            "format is an optional OpenAPI type definition for this column. The 'name' format is applied to the " +
              'primary identifier column to assist in clients identifying column is the resource name.',
          ),
          description: str('description is a human readable description of this column.'),
          priority: int32(
            'priority is an integer defining the relative importance of this column compared to others. Lower ' +
              'numbers are considered higher priority.',
          ),
          jsonPath: str(
            'jsonPath is a simple JSON path (i.e. with array notation) which is evaluated against each custom ' +
              'resource to produce the value for this column.',
          ),
        },
      },
    },
    selectableFields: {
      type: 'array',
      description: 'selectableFields specifies paths to fields that may be used as field selectors.',
      'x-kubernetes-list-type': 'atomic',
      items: {
        type: 'object',
        description: 'SelectableField specifies the JSON path of a field that may be used with field selectors.',
        required: ['jsonPath'],
        properties: {
          jsonPath: str(
            'jsonPath is a simple JSON path which is evaluated against each custom resource to produce a field ' +
              'selector value.',
          ),
        },
      },
    },
  },
};

const serviceReference: JSONSchemaProps = {
  type: 'object',
  description: 'service is a reference to the service for this webhook.',
  required: ['namespace', 'name'],
  properties: {
    namespace: str('namespace is the namespace of the service.'),
    name: str('name is the name of the service.'),
    path: str('path is an optional URL path at which the webhook will be contacted.'),
    port: int32('port is an optional service port at which the webhook will be contacted.'),
  },
};

const customResourceDefinition = objectRoot(
  'CustomResourceDefinition represents a resource that should be exposed on the API server. Its name MUST be in ' +
    'the format <.spec.name>.<.spec.group>.',
  {
    spec: {
      type: 'object',
      description: 'spec describes how the user wants the resources to appear',
      required: ['group', 'names', 'scope', 'versions'],
      properties: {
        group: str(
          'group is the API group of the defined custom resource. The custom resources are served under ' +
            '`/apis/<group>/...`. Must match the name of the CustomResourceDefinition (in the form ' +
            '`<names.plural>.<group>`).',
        ),
        names: { ...crdNames, description: 'names specify the resource and kind names for the custom resource.' },
        scope: str(
          'scope indicates whether the defined custom resource is cluster- or namespace-scoped. Allowed values ' +
            'are `Cluster` and `Namespaced`.',
        ),
        versions: {
          type: 'array',
          description:
            'versions is the list of all API versions of the defined custom resource. Version names are used to ' +
            'compute the order in which served versions are listed in API discovery.',
          items: crdVersion,
          'x-kubernetes-list-type': 'atomic',
        },
        conversion: {
          type: 'object',
          description: 'conversion defines conversion settings for the CRD.',
          required: ['strategy'],
          properties: {
            strategy: str(
              'strategy specifies how custom resources are converted between versions. Allowed values are: - ' +
                '`"None"`: The converter only change the apiVersion and would not touch any other field in the ' +
                'custom resource. - `"Webhook"`: API Server will call to an external webhook to do the conversion.',
            ),
            webhook: {
              type: 'object',
              description:
                'webhook describes how to call the conversion webhook. Required when `strategy` is set to `"Webhook"`.',
              required: ['conversionReviewVersions'],
              properties: {
                clientConfig: {
                  type: 'object',
                  description: 'clientConfig is the instructions for how to call the webhook if strategy is `Webhook`.',
                  properties: {
                    url: str(
                      'url gives the location of the webhook, in standard URL form (`scheme://host:port/path`). ' +
                        'Exactly one of `url` or `service` must be specified.',
                    ),
                    service: serviceReference,
                    caBundle: str(
                      "caBundle is a PEM encoded CA bundle which will be used to validate the webhook's server " +
                        'certificate.',
                      { format: 'byte' },
                    ),
                  },
                },
                conversionReviewVersions: stringList(
                  'conversionReviewVersions is an ordered list of preferred `ConversionReview` versions the ' +
                    'Webhook expects.',
                  { 'x-kubernetes-list-type': 'atomic' },
                ),
              },
            },
          },
        },
        preserveUnknownFields: bool(
          'preserveUnknownFields indicates that object fields which are not specified in the OpenAPI schema ' +
            'should be preserved when persisting to storage. apiVersion, kind, metadata and known fields inside ' +
            'metadata are always preserved. This field is deprecated in favor of setting ' +
            '`x-preserve-unknown-fields` to true in `spec.versions[*].schema.openAPIV3Schema`.',
        ),
      },
    },
    status: {
      type: 'object',
      description: 'status indicates the actual state of the CustomResourceDefinition',
      properties: {
        conditions: conditionList('conditions indicate state for particular aspects of a CustomResourceDefinition'),
        acceptedNames: {
          ...crdNames,
          description:
            'acceptedNames are the names that are actually being used to serve discovery. They may be different ' +
            'than the names in spec.',
        },
        storedVersions: stringList(
          'storedVersions lists all versions of CustomResources that were ever persisted. Tracking these ' +
            'versions allows a migration path for stored versions in etcd.',
          { 'x-kubernetes-list-type': 'atomic' },
        ),
      },
    },
  },
  { required: ['spec'] },
);

/** Schemas (JSONSchemaProps of the whole object) for the built-in kinds the server serves, keyed "group/version/Kind"
 *  with "" for core. Includes ObjectMeta. */
/** A rendered schema with the server's ObjectMeta schema where the renderer left `{ $objectMeta: true }`. */
function withObjectMeta(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withObjectMeta);
  if (typeof value !== 'object' || value === null) return value;
  if ((value as Record<string, unknown>)['$objectMeta'] === true) return objectMetaSchema;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withObjectMeta(item)]));
}

const rendered = Object.fromEntries(
  Object.entries(renderedBuiltinSchemas).map(([key, schema]) => [key, withObjectMeta(schema) as JSONSchemaProps]),
);

/** Built-in kinds whose schema's `required` lists are enforced (rendered from Kubernetes' models, so complete). */
export const schemaValidatedBuiltins: ReadonlySet<string> = new Set(Object.keys(rendered));

export const builtinSchemas: Record<string, JSONSchemaProps> = {
  ...rendered,
  '/v1/Namespace': namespace,
  '/v1/ConfigMap': configMap,
  '/v1/Secret': secret,
  '/v1/Event': coreEvent,
  'events.k8s.io/v1/Event': eventsEvent,
  'coordination.k8s.io/v1/Lease': lease,
  '/v1/ServiceAccount': serviceAccount,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': customResourceDefinition,
};
