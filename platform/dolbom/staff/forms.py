"""The set-up link's form: a new password, twice."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

# Long rather than complicated: a passphrase of a few words is easy to type and hard to guess.
MIN_PASSWORD = 10


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("새 비밀번호"),
        validators=[
            DataRequired(_l("비밀번호를 입력하세요.")),
            Length(
                min=MIN_PASSWORD,
                max=200,
                message=_l("비밀번호는 %(min)d자 이상 200자 이하로 정하세요.", min=MIN_PASSWORD),
            ),
        ],
    )
    confirm = PasswordField(
        _l("새 비밀번호 확인"),
        validators=[
            DataRequired(_l("비밀번호를 한 번 더 입력하세요.")),
            EqualTo("password", _l("두 비밀번호가 같지 않습니다.")),
        ],
    )
