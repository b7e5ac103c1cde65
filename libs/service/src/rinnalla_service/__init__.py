"""The one service skeleton: a service declares its parts (`ServiceDefinition`), the skeleton assembles
the API process, the worker process, migrations and the CLI's operations (`Service`, `service_spec`)."""

from rinnalla_service.assembly import Service, WorkerFailed, service_spec
from rinnalla_service.definition import ServiceContext, ServiceCore, ServiceDefinition, domainless
from rinnalla_service.migrations import event_store_revision, event_store_statements
from rinnalla_service.pool import PoolNotOpen, ServicePool
from rinnalla_service.read_models import ReadModels, UnknownReadModel
from rinnalla_service.runtime import ServiceRuntime, utc_now

__all__ = [
    "PoolNotOpen",
    "ReadModels",
    "Service",
    "ServiceContext",
    "ServiceCore",
    "ServiceDefinition",
    "ServicePool",
    "ServiceRuntime",
    "UnknownReadModel",
    "WorkerFailed",
    "domainless",
    "event_store_revision",
    "event_store_statements",
    "service_spec",
    "utc_now",
]
