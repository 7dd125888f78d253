CREATE TABLE "shipments" (
	"application_id" uuid PRIMARY KEY NOT NULL,
	"method" text NOT NULL,
	"courier" text,
	"tracking_number" text,
	"pickup_address" text,
	"note" text DEFAULT '' NOT NULL,
	"shipped_by" uuid NOT NULL,
	"shipped_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"completed_how" text,
	"completed_by" text
);
--> statement-breakpoint
CREATE INDEX "shipments_open_idx" ON "shipments" USING btree ("completed_at","shipped_at");