"""The composition root: builds the store, commands, views, workers and scheduler."""

from __future__ import annotations

from datetime import datetime, timedelta

from adapters.auth import Argon2Hasher, TokenService, secret_key
from adapters.clock import Clock, system_clock
from adapters.eventstore import event_store_env, key_table, position_of, positions_of
from adapters.locks import AdvisoryLock, Leadership, SoleLeader
from adapters.personal import KeyRing, SealingMapper
from adapters.reference import load_questionnaires
from adapters.scheduler import Scheduler
from adapters.settings import Settings
from adapters.sql import PostgresViews, open_views, schema_lock
from api.jobs import register_jobs
from application.clients import ClientCommands
from application.cqp import CqpCommands
from application.demo import DemoCommands
from application.funds import FundCommands
from application.history import History
from application.purchases import PurchaseCommands
from application.replay import DecisionReplay
from application.risk import RiskCommands
from application.staff import StaffCommands
from application.store import Store
from application.suppliers import SupplierCommands
from application.tickets import TicketCommands
from projections.audit import AuditView, ChainView
from projections.base import View
from projections.clients import ClientsView
from projections.funds import FundsView
from projections.purchases import PurchasesView, ReviewsView
from projections.runner import Projector, rebuild
from projections.staff import StaffView
from projections.suppliers import CqpPlansView, SuppliersView
from projections.tickets import TicketsView
from projections.worker import ProjectionWorker, WorkerConfig

VIEW_CLASSES: dict[str, type[View]] = {
    "clients": ClientsView,
    "staff": StaffView,
    "funds": FundsView,
    "purchases": PurchasesView,
    "reviews": ReviewsView,
    "tickets": TicketsView,
    "suppliers": SuppliersView,
    "cqp_plans": CqpPlansView,
    "audit": AuditView,
    "audit_chain": ChainView,
}


class Engine:
    """Everything one process needs; built at start-up, never at import."""

    def __init__(self, settings: Settings, clock: Clock = system_clock) -> None:
        self.settings = settings
        self.clock = clock
        self.db = open_views(settings)
        self.keyring = KeyRing()
        self.client_view = ClientsView()
        self.staff_view = StaffView()
        self.fund_view = FundsView()
        self.purchase_view = PurchasesView()
        self.review_view = ReviewsView()
        self.ticket_view = TicketsView(policy=settings.sla_policy)
        self.supplier_view = SuppliersView(policy=settings.supplier_policy)
        self.cqp_view = CqpPlansView()
        self.audit_view = AuditView()
        self.chain_view = ChainView()
        views = (
            self.client_view,
            self.staff_view,
            self.fund_view,
            self.purchase_view,
            self.review_view,
            self.ticket_view,
            self.supplier_view,
            self.cqp_view,
            self.audit_view,
            self.chain_view,
        )
        with schema_lock(settings):
            for view in views:
                view.create(self.db)
            self.store = Store(
                event_store_env(settings),
                settings.snapshot_intervals,
                on_saved=self._saved,
                position_finder=position_of,
                positions_finder=positions_of,
                mapper=SealingMapper(self.keyring),
            )
        self.keyring.attach(key_table(self.store.recorder))
        self.worker_config = WorkerConfig(
            batch_size=settings.projection_batch_size,
            max_attempts=settings.projection_max_attempts,
            backoff=settings.projection_backoff,
            poll_interval=settings.projection_poll_interval,
        )
        workers = [
            ProjectionWorker(
                self.store,
                self.db,
                view,
                self.worker_config,
                leadership=self._leadership(f"projection:{view.name}"),
            )
            for view in views
        ]
        listen = self.db.connect if isinstance(self.db, PostgresViews) else None
        channel = getattr(self.store.recorder, "channel_name", "")
        self.projector = Projector(self.store, self.db, workers, listen=listen, channel=channel)
        self.history = History(self.store)
        self.replay = DecisionReplay(self.store, settings.supplier_policy, settings.cqp_policy)
        self.clients = ClientCommands(self.store, settings.client_policy, self.keyring)
        self.funds = FundCommands(self.store)
        self.purchases = PurchaseCommands(self.store, settings.suitability_policy)
        self.tickets = TicketCommands(self.store, settings.sla_policy)
        self.suppliers = SupplierCommands(self.store, settings.supplier_policy)
        self.cqp = CqpCommands(self.store, settings.cqp_policy)
        self.risk = RiskCommands(
            self.store, load_questionnaires(settings.questionnaire_dir), settings.assessment_policy
        )
        self.staff = StaffCommands(self.store, Argon2Hasher(fast=settings.env == "test"))
        self.tokens = TokenService(secret_key(settings), timedelta(hours=settings.token_ttl_hours))
        self.scheduler = Scheduler(
            self._leadership("scheduler"), settings.scheduler_interval_seconds, clock
        )
        register_jobs(self)
        self._started = False

    def demo_commands(self) -> DemoCommands:
        return DemoCommands(
            self.clients,
            self.staff,
            self.risk,
            self.funds,
            self.purchases,
            self.tickets,
            self.suppliers,
            self.cqp,
        )

    def _leadership(self, key: str) -> Leadership:
        if isinstance(self.db, PostgresViews):
            return AdvisoryLock(self.db.connect, f"{self.settings.database_schema}:{key}")
        return SoleLeader()

    def _saved(self, position: int) -> None:
        self.projector.wake(position)

    def start(self) -> None:
        if self.settings.run_workers:
            self.projector.start()
        if self.settings.run_scheduler:
            self.scheduler.start()
        self._started = True

    def tick(self, now: datetime) -> dict[str, int]:
        """Run every scheduler job as of ``now`` on views caught up to the head."""
        self.projector.catch_up()
        return self.scheduler.tick(now)

    def rebuild(self, name: str) -> int:
        live = self.projector.workers[name].view
        return rebuild(self.store, self.db, live, self.worker_config)

    def close(self) -> None:
        if self._started:
            self.scheduler.stop()
            self.projector.stop()
        self.store.close()
        self.db.close()
