CREATE INDEX "applications_submitted_idx" ON "applications" USING btree ("submitted_at");--> statement-breakpoint
CREATE INDEX "audit_log_action_at_idx" ON "audit_log" USING btree ("entity_type","action","at");--> statement-breakpoint
CREATE INDEX "certificates_profile_status_end_idx" ON "certificates" USING btree ("profile","status","not_after");--> statement-breakpoint
CREATE INDEX "certificates_profile_created_idx" ON "certificates" USING btree ("profile","created_at");--> statement-breakpoint
CREATE INDEX "certificates_revoked_at_idx" ON "certificates" USING btree ("revoked_at");--> statement-breakpoint
CREATE INDEX "payments_paid_at_idx" ON "payments" USING btree ("paid_at");--> statement-breakpoint
CREATE INDEX "refunds_created_idx" ON "refunds" USING btree ("created_at");