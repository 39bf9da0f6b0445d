"""payments: invoices (gapless numbering), payment methods, payments, recharges (top-ups and
auto-recharge rules), top-up options

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 03:37:06.573364
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0003'
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('invoice_sequences',
    sa.Column('series', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('last_number', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('series')
    )
    op.create_table('payment_methods',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('provider_customer', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('customer_id', 'provider', 'reference')
    )
    op.create_index('uq_payment_methods_default', 'payment_methods', ['customer_id'], unique=True, postgresql_where=sa.text('is_default'))
    op.create_table('invoices',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('wallet_id', sa.BigInteger(), nullable=True),
    sa.Column('type', sa.Enum('credit_purchase', 'threshold', 'period_end', name='invoicetype', native_enum=False, length=24), nullable=False),
    sa.Column('status', sa.Enum('draft', 'finalized', 'paid', 'void', name='invoicestatus', native_enum=False, length=24), nullable=False),
    sa.Column('payment_status', sa.Enum('pending', 'succeeded', 'failed', name='invoicepaymentstatus', native_enum=False, length=24), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('total_minor', sa.BigInteger(), nullable=False),
    sa.Column('finalized_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('void_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.ForeignKeyConstraint(['wallet_id'], ['wallets.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    op.create_index('ix_invoices_customer_id_id', 'invoices', ['customer_id', 'id'], unique=False)
    op.create_index(op.f('ix_invoices_due_at'), 'invoices', ['due_at'], unique=False)
    op.create_index(op.f('ix_invoices_wallet_id'), 'invoices', ['wallet_id'], unique=False)
    op.create_table('recharge_rules',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('wallet_id', sa.BigInteger(), nullable=False),
    sa.Column('trigger', sa.Enum('threshold', 'interval', name='ruletrigger', native_enum=False, length=24), nullable=False),
    sa.Column('threshold', sa.Numeric(precision=24, scale=6), nullable=True),
    sa.Column('interval', sa.Enum('weekly', 'monthly', name='ruleinterval', native_enum=False, length=24), nullable=True),
    sa.Column('method', sa.Enum('fixed', 'target', name='rulemethod', native_enum=False, length=24), nullable=False),
    sa.Column('credits', sa.Numeric(precision=24, scale=6), nullable=False),
    sa.Column('discount_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('cooldown_seconds', sa.Integer(), nullable=False),
    sa.Column('monthly_max_recharges', sa.Integer(), nullable=True),
    sa.Column('monthly_max_amount_minor', sa.BigInteger(), nullable=True),
    sa.Column('payment_method_id', sa.BigInteger(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('disabled_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('last_triggered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('anchor_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_run_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['payment_method_id'], ['payment_methods.id'], ),
    sa.ForeignKeyConstraint(['wallet_id'], ['wallets.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('wallet_id')
    )
    op.create_index(op.f('ix_recharge_rules_next_run_at'), 'recharge_rules', ['next_run_at'], unique=False)
    op.create_table('top_up_options',
    sa.Column('wallet_id', sa.BigInteger(), nullable=False),
    sa.Column('grant_before_payment', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['wallet_id'], ['wallets.id'], ),
    sa.PrimaryKeyConstraint('wallet_id')
    )
    op.create_table('invoice_lines',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('invoice_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=24, scale=6), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=24, scale=12), nullable=False),
    sa.Column('discount_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('invoice_id', 'position')
    )
    op.create_table('payments',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('invoice_id', sa.BigInteger(), nullable=False),
    sa.Column('payment_method_id', sa.BigInteger(), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('provider_reference', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('status', sa.Enum('pending', 'processing', 'succeeded', 'failed', name='paymentstatus', native_enum=False, length=24), nullable=False),
    sa.Column('failure_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], ),
    sa.ForeignKeyConstraint(['payment_method_id'], ['payment_methods.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_payments_invoice_id'), 'payments', ['invoice_id'], unique=False)
    op.create_index('ix_payments_provider_reference', 'payments', ['provider', 'provider_reference'], unique=False)
    op.create_index('uq_payments_in_flight', 'payments', ['invoice_id'], unique=True, postgresql_where=sa.text("status IN ('pending', 'processing')"))
    op.create_index('uq_payments_succeeded', 'payments', ['invoice_id'], unique=True, postgresql_where=sa.text("status = 'succeeded'"))
    op.create_table('recharges',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('wallet_id', sa.BigInteger(), nullable=False),
    sa.Column('invoice_id', sa.BigInteger(), nullable=True),
    sa.Column('rule_id', sa.BigInteger(), nullable=True),
    sa.Column('trigger', sa.Enum('manual', 'threshold', 'interval', name='rechargetrigger', native_enum=False, length=24), nullable=False),
    sa.Column('credits', sa.Numeric(precision=24, scale=6), nullable=False),
    sa.Column('bonus_credits', sa.Numeric(precision=24, scale=6), nullable=False),
    sa.Column('bundle_id', sa.BigInteger(), nullable=True),
    sa.Column('discount_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('status', sa.Enum('pending', 'succeeded', 'failed', 'skipped', name='rechargestatus', native_enum=False, length=24), nullable=False),
    sa.Column('failure_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['bundle_id'], ['bundles.id'], ),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], ),
    sa.ForeignKeyConstraint(['rule_id'], ['recharge_rules.id'], ),
    sa.ForeignKeyConstraint(['wallet_id'], ['wallets.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('invoice_id')
    )
    op.create_index('ix_recharges_rule_created', 'recharges', ['rule_id', 'created_at'], unique=False)
    op.create_index('ix_recharges_wallet_id', 'recharges', ['wallet_id', 'id'], unique=False)
    op.create_index('uq_recharges_in_flight', 'recharges', ['wallet_id'], unique=True, postgresql_where=sa.text("rule_id IS NOT NULL AND status = 'pending'"))


def downgrade() -> None:
    op.drop_index('uq_recharges_in_flight', table_name='recharges', postgresql_where=sa.text("rule_id IS NOT NULL AND status = 'pending'"))
    op.drop_index('ix_recharges_wallet_id', table_name='recharges')
    op.drop_index('ix_recharges_rule_created', table_name='recharges')
    op.drop_table('recharges')
    op.drop_index('uq_payments_succeeded', table_name='payments', postgresql_where=sa.text("status = 'succeeded'"))
    op.drop_index('uq_payments_in_flight', table_name='payments', postgresql_where=sa.text("status IN ('pending', 'processing')"))
    op.drop_index('ix_payments_provider_reference', table_name='payments')
    op.drop_index(op.f('ix_payments_invoice_id'), table_name='payments')
    op.drop_table('payments')
    op.drop_table('invoice_lines')
    op.drop_table('top_up_options')
    op.drop_index(op.f('ix_recharge_rules_next_run_at'), table_name='recharge_rules')
    op.drop_table('recharge_rules')
    op.drop_index(op.f('ix_invoices_wallet_id'), table_name='invoices')
    op.drop_index(op.f('ix_invoices_due_at'), table_name='invoices')
    op.drop_index('ix_invoices_customer_id_id', table_name='invoices')
    op.drop_table('invoices')
    op.drop_index('uq_payment_methods_default', table_name='payment_methods', postgresql_where=sa.text('is_default'))
    op.drop_table('payment_methods')
    op.drop_table('invoice_sequences')
