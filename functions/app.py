"""The portal's API: create the app, register each domain's blueprint and the scheduled jobs."""

from chalice import Chalice

from chalicelib.agencies.routes import agencies_api
from chalicelib.core.api import normalise_framework_errors
from chalicelib.dossiers.agency_routes import agency_dossiers_api
from chalicelib.dossiers.routes import dossiers_api
from chalicelib.jobs import dispatch_notifications, flag_overdue_dossiers
from chalicelib.sso.account_routes import accounts_api
from chalicelib.sso.routes import oidc_api
from chalicelib.system.routes import bind_routes, system_api

app = Chalice(app_name="dvc-portal")
app.register_middleware(normalise_framework_errors, "http")
app.register_blueprint(oidc_api)
app.register_blueprint(accounts_api)
app.register_blueprint(agencies_api)
app.register_blueprint(dossiers_api)
app.register_blueprint(agency_dossiers_api)
app.register_blueprint(system_api)
bind_routes(app.routes)

app.schedule("rate(1 minute)", name="dispatch-notifications")(dispatch_notifications)
app.schedule("cron(5 17 * * ? *)", name="flag-overdue-dossiers")(flag_overdue_dossiers)  # 00:05 in Vietnam
