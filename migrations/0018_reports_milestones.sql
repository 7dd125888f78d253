ALTER TABLE "applications" ADD COLUMN "in_review_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "approved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "paid_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "production_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "dispatched_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "completed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "applications_submitted_idx" ON "applications" USING btree ("submitted_at");--> statement-breakpoint
CREATE INDEX "applications_approved_idx" ON "applications" USING btree ("approved_at");--> statement-breakpoint
CREATE INDEX "applications_dispatched_idx" ON "applications" USING btree ("dispatched_at");--> statement-breakpoint
CREATE INDEX "certificates_profile_status_end_idx" ON "certificates" USING btree ("profile","status","not_after","not_before");--> statement-breakpoint
CREATE INDEX "certificates_profile_created_idx" ON "certificates" USING btree ("profile","created_at");--> statement-breakpoint
CREATE INDEX "certificates_revoked_at_idx" ON "certificates" USING btree ("revoked_at");--> statement-breakpoint
CREATE INDEX "payments_paid_at_idx" ON "payments" USING btree ("paid_at");--> statement-breakpoint
CREATE INDEX "refunds_created_idx" ON "refunds" USING btree ("created_at");