"""The portal's API: create the app, register each domain's blueprint and the scheduled jobs."""

from chalice import Chalice

from chalicelib import jobs
from chalicelib.agencies.routes import agencies_api
from chalicelib.complaints.agency_routes import agency_complaints_api
from chalicelib.complaints.routes import complaints_api
from chalicelib.core.api import normalise_framework_errors
from chalicelib.core.config import get_settings
from chalicelib.dossiers.agency_routes import agency_dossiers_api
from chalicelib.dossiers.routes import dossiers_api
from chalicelib.linked.agency_routes import agency_linked_api
from chalicelib.linked.routes import linked_api
from chalicelib.payments.agency_routes import agency_payments_api
from chalicelib.payments.routes import payments_api
from chalicelib.payments.sandbox_routes import sandbox_api
from chalicelib.sso.account_routes import accounts_api
from chalicelib.sso.routes import oidc_api
from chalicelib.stats.routes import stats_api
from chalicelib.support.console_routes import console_api
from chalicelib.support.routes import support_api
from chalicelib.system.routes import bind_routes, system_api
from chalicelib.webhooks.routes import webhooks_api

app = Chalice(app_name="dvc-portal")
app.register_middleware(normalise_framework_errors, "http")
app.register_blueprint(oidc_api)
app.register_blueprint(accounts_api)
app.register_blueprint(agencies_api)
app.register_blueprint(dossiers_api)
app.register_blueprint(agency_dossiers_api)
app.register_blueprint(complaints_api)
app.register_blueprint(agency_complaints_api)
app.register_blueprint(stats_api)
app.register_blueprint(payments_api)
app.register_blueprint(agency_payments_api)
app.register_blueprint(sandbox_api)
app.register_blueprint(webhooks_api)
app.register_blueprint(linked_api)
app.register_blueprint(agency_linked_api)
app.register_blueprint(console_api)
app.register_blueprint(support_api)
app.register_blueprint(system_api)
bind_routes(app.routes)

# Lambda calls `app.<function name>`: each event handler must be this module's name for the wrapped function.
dispatch_notifications = app.schedule("rate(1 minute)", name="dispatch-notifications")(jobs.dispatch_notifications)
flag_overdue_dossiers = app.schedule("cron(5 17 * * ? *)", name="flag-overdue-dossiers")(  # 00:05 in Vietnam
    jobs.flag_overdue_dossiers
)
flag_overdue_complaints = app.schedule("rate(1 hour)", name="flag-overdue-complaints")(jobs.flag_overdue_complaints)
reconcile_payments = app.schedule("rate(5 minutes)", name="reconcile-payments")(jobs.reconcile_payments)
retry_webhooks = app.schedule("rate(1 minute)", name="retry-webhooks")(jobs.retry_webhooks)
if get_settings().webhook_queue_arn:  # set by infra: the queue the stream handlers and the sweep fill
    deliver_webhooks = app.on_sqs_message(
        queue_arn=get_settings().webhook_queue_arn, name="deliver-webhooks", batch_size=10
    )(jobs.deliver_webhooks)
for _table, _stream_arn in get_settings().stream_arns.items():  # statistics counters and dossier notices
    for _name, _handler in jobs.stream_handlers(_table):
        globals()[_handler.__name__] = app.on_dynamodb_record(stream_arn=_stream_arn, name=_name)(_handler)
