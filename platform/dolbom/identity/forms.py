from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(
        _l("이메일"), validators=[DataRequired(_l("이메일을 입력하세요.")), Length(max=254)]
    )
    password = PasswordField(
        _l("비밀번호"), validators=[DataRequired(_l("비밀번호를 입력하세요.")), Length(max=200)]
    )
