DROP INDEX "applications_approved_idx";--> statement-breakpoint
DROP INDEX "applications_dispatched_idx";--> statement-breakpoint
DROP INDEX "certificates_profile_status_end_idx";--> statement-breakpoint
CREATE INDEX "applications_approved_idx" ON "applications" USING btree ("approved_at","in_review_since");--> statement-breakpoint
CREATE INDEX "applications_dispatched_idx" ON "applications" USING btree ("dispatched_at","paid_at");--> statement-breakpoint
CREATE INDEX "certificates_profile_status_end_idx" ON "certificates" USING btree ("profile","status","not_after","not_before","serial_hex");