"""Request and response models of the account and OpenID Connect endpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Self

from pydantic import ConfigDict, EmailStr, Field, field_validator, model_validator

from chalicelib.core.errors import InvalidInput
from chalicelib.core.queries import OpenQuery
from chalicelib.core.validation import Reply, StrictModel
from chalicelib.sso.identifiers import check_identity_number, check_tax_code
from chalicelib.sso.passwords import MAX_LENGTH, check_policy

if TYPE_CHECKING:
    from chalicelib.store.accounts import Account

Phone = Field(default=None, pattern=r"^(\+84|0)\d{9,10}$", description="Số điện thoại di động Việt Nam")
Password = Field(min_length=1, max_length=MAX_LENGTH)
FullName = Field(min_length=2, max_length=200)


class _Registration(StrictModel):
    full_name: str = FullName
    email: EmailStr | None = None
    phone: str | None = Phone
    password: str = Password

    def identifier(self) -> str:
        raise NotImplementedError

    @model_validator(mode="after")
    def _password_policy(self) -> Self:
        # Raised as InvalidInput (not ValueError) so the error names its field; pydantic lets it through.
        _check_password(self.password, self.identifier(), "password")
        if self.email is None and self.phone is None:
            raise InvalidInput(
                "Cần ít nhất một thư điện tử hoặc số điện thoại để nhận mã đặt lại mật khẩu.", field="email"
            )
        return self


def _check_password(password: str, identifier: str, field: str) -> None:
    try:
        check_policy(password, identifier)
    except ValueError as problem:
        raise InvalidInput(str(problem), field=field) from None


class CitizenRegistration(_Registration):
    identity_number: str = Field(description="Số định danh cá nhân (12 chữ số)", examples=["001099012345"])

    _check = field_validator("identity_number")(check_identity_number)

    def identifier(self) -> str:
        return self.identity_number


class BusinessRegistration(_Registration):
    tax_code: str = Field(description="Mã số thuế doanh nghiệp", examples=["0100109106"])
    full_name: str = Field(min_length=2, max_length=300, description="Tên doanh nghiệp")

    _check = field_validator("tax_code")(check_tax_code)

    def identifier(self) -> str:
        return self.tax_code


class AccountView(Reply):
    account_id: str
    account_type: Literal["citizen", "business"]
    identifier: str
    full_name: str
    email: str | None = None
    phone: str | None = None
    assurance_level: int

    @classmethod
    def of(cls, account: Account) -> AccountView:
        return cls(
            account_id=account.account_id,
            account_type=account.account_type,  # type: ignore[arg-type]
            identifier=account.identifier,
            full_name=account.full_name,
            email=account.email,
            phone=account.phone,
            assurance_level=account.assurance_level,
        )


class PasswordChange(StrictModel):
    current_password: str = Password
    new_password: str = Password

    @field_validator("new_password")
    @classmethod
    def _policy(cls, value: str) -> str:
        return check_policy(value)


class ResetRequest(StrictModel):
    identifier: str = Field(min_length=10, max_length=14, description="Số định danh cá nhân hoặc mã số thuế")


class ResetConfirmation(StrictModel):
    identifier: str = Field(min_length=10, max_length=14)
    code: str = Field(pattern=r"^\d{6}$")
    new_password: str = Password

    @model_validator(mode="after")
    def _policy(self) -> Self:
        _check_password(self.new_password, self.identifier, "new_password")
        return self


class Message(Reply):
    message: str


class TokenRequest(StrictModel):
    """Form fields of the token endpoint (RFC 6749, RFC 7636, RFC 7523)."""

    grant_type: str = Field(max_length=100)
    code: str | None = Field(default=None, max_length=200)
    redirect_uri: str | None = Field(default=None, max_length=2000)
    code_verifier: str | None = Field(default=None, max_length=200)
    refresh_token: str | None = Field(default=None, max_length=200)
    scope: str | None = Field(default=None, max_length=1000)
    client_id: str | None = Field(default=None, max_length=200)
    client_assertion_type: str | None = Field(default=None, max_length=200)
    client_assertion: str | None = Field(default=None, max_length=8000)


class PushedAuthorizationRequest(StrictModel):
    """RFC 9126: the authorization request's parameters, and the client's authentication."""

    response_type: str | None = Field(default=None, max_length=100)
    client_id: str | None = Field(default=None, max_length=200)
    redirect_uri: str | None = Field(default=None, max_length=2000)
    scope: str | None = Field(default=None, max_length=1000)
    state: str | None = Field(default=None, max_length=2000)
    nonce: str | None = Field(default=None, max_length=2000)
    code_challenge: str | None = Field(default=None, max_length=200)
    code_challenge_method: str | None = Field(default=None, max_length=10)
    prompt: str | None = Field(default=None, max_length=100)
    client_assertion_type: str | None = Field(default=None, max_length=200)
    client_assertion: str | None = Field(default=None, max_length=8000)


class PushedAuthorizationReply(Reply):
    request_uri: str
    expires_in: int


class RevocationRequest(StrictModel):
    """RFC 7009 (and RFC 7662's request, the same fields): the token, a hint of its type, client auth."""

    token: str = Field(min_length=1, max_length=8192)
    token_type_hint: str | None = Field(default=None, max_length=100)
    client_id: str | None = Field(default=None, max_length=200)
    client_assertion_type: str | None = Field(default=None, max_length=200)
    client_assertion: str | None = Field(default=None, max_length=8000)


class IntrospectionRequest(RevocationRequest):
    pass


class Introspection(Reply):
    """RFC 7662 section 2.2; only `active` when the token is not (or not the caller's)."""

    active: bool
    token_type: str | None = None
    scope: str | None = None
    client_id: str | None = None
    sub: str | None = None
    exp: int | None = None
    iat: int | None = None
    iss: str | None = None
    aud: str | None = None
    jti: str | None = None
    cnf: dict[str, str] | None = None


class TokenReply(Reply):
    access_token: str
    token_type: Literal["Bearer", "DPoP"] = "Bearer"
    expires_in: int
    scope: str
    id_token: str | None = None
    refresh_token: str | None = None


class OAuthErrorReply(Reply):
    error: str
    error_description: str | None = None


class SignInForm(StrictModel):
    request_id: str = Field(min_length=1, max_length=100)
    identifier: str = Field(default="", max_length=100)
    password: str = Field(default="", max_length=MAX_LENGTH)


class UserInfo(Reply):
    sub: str
    name: str
    account_type: Literal["citizen", "business"]
    identity_number: str | None = None
    tax_code: str | None = None
    email: str | None = None
    phone_number: str | None = None
    acr: str | None = None


class Jwk(Reply):
    model_config = ConfigDict(extra="allow", defer_build=True)
    kty: str
    kid: str
    use: str
    alg: str


class Jwks(Reply):
    keys: list[Jwk]


class Discovery(Reply):
    model_config = ConfigDict(extra="allow", defer_build=True)
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str


Param = Field(default=None, max_length=2000)


class AuthorizationQuery(OpenQuery):
    """An authorization request (RFC 6749 4.1.1, OpenID Connect Core 3.1.2.1, RFC 7636, RFC 9126);
    parameters it does not name are ignored, as RFC 6749 asks."""

    response_type: str | None = Param
    client_id: str | None = Field(default=None, max_length=200)
    redirect_uri: str | None = Param
    scope: str | None = Param
    state: str | None = Param
    nonce: str | None = Param
    code_challenge: str | None = Param
    code_challenge_method: str | None = Field(default=None, max_length=10)
    prompt: str | None = Field(default=None, max_length=100)
    request_uri: str | None = Param


class LogoutQuery(OpenQuery):
    """RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0, section 2)."""

    id_token_hint: str | None = Field(default=None, max_length=4000)
    post_logout_redirect_uri: str | None = Param
    state: str | None = Param
    client_id: str | None = Field(default=None, max_length=200)
