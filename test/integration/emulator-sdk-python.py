"""Run by emulator-sdk-python.test.ts: Azure's Python SDK (Debian's python3-azure), unchanged and at its own
api-versions, against an emulator at default flags. Prints one JSON line of observations."""
import inspect
import json
import os

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.identity import ClientSecretCredential
from azure.mgmt.msi import ManagedServiceIdentityClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient

url = os.environ["EMULATOR_URL"]
tenant = os.environ["EMULATOR_TENANT"]
subscription = os.environ["SUBSCRIPTION_ID"]
scopes = ["https://management.azure.com/.default"]
# The snapshot's azure-identity (1.13 beta) calls the option instance_discovery; later releases disable_instance_discovery.
discovery = {"disable_instance_discovery": True} if "disable_instance_discovery" in str(inspect.getsource(ClientSecretCredential)) else {"instance_discovery": False}
credential = ClientSecretCredential(tenant, "44444444-2222-3333-4444-555555555555", "a-secret", authority=url, **discovery)
options = {"base_url": url, "credential_scopes": scopes, "polling_interval": 0.05}
resources = ResourceManagementClient(credential, subscription, **options)
storage = StorageManagementClient(credential, subscription, **options)
network = NetworkManagementClient(credential, subscription, **options)
msi = ManagedServiceIdentityClient(credential, subscription, **options)
out = {}


def failure(error):
    return {"type": type(error).__name__, "status": error.status_code, "code": getattr(error.error, "code", None)}


out["tokenParts"] = len(credential.get_token(*scopes).token.split("."))
group = resources.resource_groups.create_or_update("py-group", {"location": "westus"})
out["group"] = {"name": group.name, "location": group.location}
out["exists"] = resources.resource_groups.check_existence("py-group")
out["missingExists"] = resources.resource_groups.check_existence("py-missing")
out["groups"] = "py-group" in [item.name for item in resources.resource_groups.list()]

account_name = "pysdk%d" % os.getpid()
out["nameFree"] = storage.storage_accounts.check_name_availability({"name": account_name, "type": "Microsoft.Storage/storageAccounts"}).name_available
account = storage.storage_accounts.begin_create(
    "py-group", account_name, {"location": "westus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}
).result()
out["account"] = {"name": account.name, "state": account.provisioning_state}
taken = storage.storage_accounts.check_name_availability({"name": account_name, "type": "Microsoft.Storage/storageAccounts"})
out["nameTaken"] = {"available": taken.name_available, "reason": taken.reason}
out["keys"] = len(storage.storage_accounts.list_keys("py-group", account_name).keys)
out["container"] = storage.blob_containers.create("py-group", account_name, "reports", {}).name

identity = msi.user_assigned_identities.create_or_update("py-group", "py-identity", {"location": "westus"})
out["identity"] = {"name": identity.name, "hasClientId": isinstance(identity.client_id, str)}

vnet = network.virtual_networks.begin_create_or_update("py-group", "py-vnet", {
    "location": "westus",
    "address_space": {"address_prefixes": ["10.1.0.0/16"]},
    "subnets": [{"name": "s1", "address_prefix": "10.1.1.0/24"}],
}).result()
out["vnetSubnets"] = [subnet.name for subnet in vnet.subnets]
subnet = network.subnets.get("py-group", "py-vnet", "s1")
out["subnet"] = {"name": subnet.name, "prefix": subnet.address_prefix}

out["listedTypes"] = sorted({item.type for item in resources.resources.list_by_resource_group("py-group")})
try:
    storage.storage_accounts.get_properties("py-group", "nosuchaccount1")
except ResourceNotFoundError as error:
    out["notFound"] = failure(error)
try:
    resources.resource_groups.create_or_update("py-mars", {"location": "marsnorth"})
except HttpResponseError as error:
    out["badLocation"] = failure(error)
resources.resource_groups.begin_delete("py-group").result()
out["existsAfterDelete"] = resources.resource_groups.check_existence("py-group")
try:
    storage.storage_accounts.get_properties("py-group", account_name)
except ResourceNotFoundError as error:
    out["accountAfterDelete"] = failure(error)
print(json.dumps(out))
