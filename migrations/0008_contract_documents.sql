CREATE TABLE "contract_documents" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"application_id" uuid NOT NULL,
	"template_version" integer NOT NULL,
	"text_sha256" text NOT NULL,
	"pdf_sha256" text NOT NULL,
	"blob_key" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"signer_serial" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "contract_documents_application_idx" ON "contract_documents" USING btree ("application_id","created_at");