"""audit: one chain per compound, every column hashed, refusal triggers everywhere

Existing entries become the district-wide chain (chain 0) as they are: hash version 1, same
seq, and the single head row becomes that chain's head. New entries are hashed with
version 2 and go to their compound's chain. The database refuses, on both engines, to
change or delete audit entries and fund journal rows and to move a chain's head back or
delete it; PostgreSQL also refuses TRUNCATE of them.

Downgrade puts the single chain back; it refuses while the chains hold entries written
since (version 2, or in a compound's chain), which the single-chain schema cannot hold
without rewriting them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
LEGACY_CHAIN = 0
JOURNAL = ("fund_entry", "fund_posting")

# Written out here rather than imported from the models, so that this revision stays what
# it was when it shipped.
GUARDS_PG = """
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
  FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'an audit chain head only moves forward';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
  FOR EACH ROW WHEN (NEW.seq < OLD.seq OR NEW.chain <> OLD.chain)
  EXECUTE FUNCTION audit_head_forward_only();
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
  FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
  FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward_only();
CREATE TRIGGER fund_entry_no_truncate BEFORE TRUNCATE ON fund_entry
  FOR EACH STATEMENT EXECUTE FUNCTION fund_journal_immutable();
CREATE TRIGGER fund_posting_no_truncate BEFORE TRUNCATE ON fund_posting
  FOR EACH STATEMENT EXECUTE FUNCTION fund_journal_immutable();
"""
_FUND_REFUSAL = "'the fund journal is immutable: post a reversal instead'"
GUARDS_SQLITE = (
    "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END",
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END",
    "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head "
    "WHEN NEW.seq < OLD.seq OR NEW.chain <> OLD.chain "
    "BEGIN SELECT RAISE(ABORT, 'an audit chain head only moves forward'); END",
    "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
    "BEGIN SELECT RAISE(ABORT, 'an audit chain head only moves forward'); END",
    *(f"CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} "
      f"BEGIN SELECT RAISE(ABORT, {_FUND_REFUSAL}); END" for t in JOURNAL),
)
TRIGGERS_PG = (("audit_entry_no_truncate", "audit_entry"),
               ("audit_head_forward_only", "audit_head"),
               ("audit_head_no_delete", "audit_head"),
               ("audit_head_no_truncate", "audit_head"),
               *((f"{t}_no_truncate", t) for t in JOURNAL))
TRIGGERS_SQLITE = ("audit_entry_append_only", "audit_entry_no_delete",
                   "audit_head_forward_only", "audit_head_no_delete",
                   *(f"{t}_no_delete" for t in JOURNAL))


def _is_pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _replace_head_table(key: str, key_value: int, head) -> None:
    """Drop audit_head and create it keyed by `key`, holding `head` (seq, hash, prev_hash)
    under `key_value`; it has one row at most, so copying it by hand is simplest."""
    op.drop_table('audit_head')
    table = op.create_table(
        'audit_head',
        sa.Column(key, sa.Integer(), autoincrement='auto' if key == 'id' else False,
                  nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False, server_default=GENESIS),
        sa.PrimaryKeyConstraint(key, name=op.f('pk_audit_head')),
    )
    if head is not None:
        op.bulk_insert(table, [{key: key_value, "seq": head.seq, "hash": head.hash,
                                "prev_hash": head.prev_hash}])


def upgrade():
    bind = op.get_bind()
    head = bind.execute(sa.text(
        "SELECT seq, hash, prev_hash FROM audit_head WHERE id = 1")).first()
    _replace_head_table('chain', LEGACY_CHAIN, head)

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain', sa.Integer(), nullable=False,
                                      server_default=str(LEGACY_CHAIN)))
        batch_op.add_column(sa.Column('version', sa.SmallInteger(), nullable=False,
                                      server_default='1'))
        batch_op.drop_constraint('uq_audit_entry_seq', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_audit_entry_chain_seq'),
                                          ['chain', 'seq'])
    # the defaults only filled the existing rows: a new entry names its chain and version
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.alter_column('chain', server_default=None)
        batch_op.alter_column('version', server_default=None)

    if _is_pg():
        op.execute(GUARDS_PG)
    else:
        for sql in GUARDS_SQLITE:
            op.execute(sql)


def downgrade():
    bind = op.get_bind()
    newer = bind.execute(sa.text(
        f"SELECT count(*) FROM audit_entry WHERE version <> 1 OR chain <> {LEGACY_CHAIN}"
    )).scalar()
    if newer:
        raise RuntimeError(
            f"cannot downgrade below 0004: {newer} audit entries were written with per-compound "
            "chains or hash version 2, and the single chain cannot hold them without "
            "rewriting them; restore the pre-upgrade backup instead")
    if _is_pg():
        for name, table in TRIGGERS_PG:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS audit_head_forward_only()")
    else:
        for name in TRIGGERS_SQLITE:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_constraint('uq_audit_entry_chain_seq', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_audit_entry_seq'), ['seq'])
        batch_op.drop_column('version')
        batch_op.drop_column('chain')

    head = bind.execute(sa.text(
        f"SELECT seq, hash, prev_hash FROM audit_head WHERE chain = {LEGACY_CHAIN}")).first()
    _replace_head_table('id', 1, head)
