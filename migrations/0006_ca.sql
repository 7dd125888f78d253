CREATE TABLE "certificate_authorities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"family" text NOT NULL,
	"role" text NOT NULL,
	"parent_id" uuid,
	"key_label" text NOT NULL,
	"key_hash" text NOT NULL,
	"certificate" "bytea" NOT NULL,
	"next_crl_number" bigint DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "certificate_authorities_key_label_unique" UNIQUE("key_label")
);
--> statement-breakpoint
CREATE TABLE "certificates" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"serial_hex" text NOT NULL,
	"issuer_ca_id" uuid NOT NULL,
	"application_id" uuid,
	"family" text NOT NULL,
	"profile" text NOT NULL,
	"subject_org" text,
	"subject_cn" text NOT NULL,
	"subject_uscc" text,
	"not_before" timestamp with time zone NOT NULL,
	"not_after" timestamp with time zone NOT NULL,
	"der" "bytea" NOT NULL,
	"status" text NOT NULL,
	"revoked_at" timestamp with time zone,
	"revocation_reason" text,
	"usb_key_serial" text,
	"issued_by" text NOT NULL,
	"key_label" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "certificates_serial_hex_unique" UNIQUE("serial_hex")
);
--> statement-breakpoint
CREATE TABLE "crls" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"ca_id" uuid NOT NULL,
	"number" bigint NOT NULL,
	"this_update" timestamp with time zone NOT NULL,
	"next_update" timestamp with time zone NOT NULL,
	"der" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "seal_approvals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"application_id" uuid NOT NULL,
	"applicant_id" uuid NOT NULL,
	"picture_sha256" text NOT NULL,
	"approved_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "seals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"es_id" text NOT NULL,
	"application_id" uuid NOT NULL,
	"certificate_serial" text NOT NULL,
	"name" text NOT NULL,
	"der" "bytea" NOT NULL,
	"picture" "bytea" NOT NULL,
	"valid_end" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "seals_es_id_unique" UNIQUE("es_id")
);
--> statement-breakpoint
CREATE INDEX "certificate_authorities_name_idx" ON "certificate_authorities" USING btree ("name","created_at");--> statement-breakpoint
CREATE INDEX "certificates_application_idx" ON "certificates" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "certificates_issuer_status_idx" ON "certificates" USING btree ("issuer_ca_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "crls_ca_number_idx" ON "crls" USING btree ("ca_id","number");--> statement-breakpoint
CREATE INDEX "seal_approvals_application_idx" ON "seal_approvals" USING btree ("application_id","approved_at");--> statement-breakpoint
CREATE INDEX "seals_application_idx" ON "seals" USING btree ("application_id","created_at");