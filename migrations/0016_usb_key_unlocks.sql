CREATE TABLE "usb_key_unlocks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"applicant_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"certificate_serial" text NOT NULL,
	"key_serial" text NOT NULL,
	"challenge" text NOT NULL,
	"phone" text NOT NULL,
	"code_hash" text NOT NULL,
	"failed_attempts" integer DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "usb_key_unlocks_key_idx" ON "usb_key_unlocks" USING btree ("key_serial","created_at");--> statement-breakpoint
CREATE INDEX "usb_key_unlocks_applicant_idx" ON "usb_key_unlocks" USING btree ("applicant_id","created_at");