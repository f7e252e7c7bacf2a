"""``quanke user token USERNAME``: an API token for a staff user, shown once."""
from __future__ import annotations

import click
from sqlalchemy import select

from core.ops.context import command_runtime
from core.people.tokens import create_token
from core.platform.errors import NotFound, QuankeError
from core.platform.models import User


@click.command("token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="令牌用途说明")
@click.pass_context
def token_command(ctx, username, name):
    """Create an API token for a staff user (创建接口令牌；只显示一次)."""
    quanke = command_runtime(ctx)
    try:
        with quanke.db.session() as session:
            user = session.scalars(select(User).where(User.username == username)).unique().first()
            if user is None:
                raise NotFound(f"用户 {username} 不存在", code="user_not_found")
            token = create_token(session, user, name=name, actor="cli")
    except QuankeError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(token)
