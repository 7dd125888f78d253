-- The mail simulator's outbox (/dev/mail): what it received over SMTP, kept so that every instance
-- and a restart show the same mails. Outside production only; nothing reads it in production.
CREATE TABLE "dev_mail_outbox" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"envelope_from" text NOT NULL,
	"envelope_to" text[] NOT NULL,
	"from_header" text NOT NULL,
	"to_header" text NOT NULL,
	"subject" text NOT NULL,
	"message_id" text NOT NULL,
	"secured" boolean NOT NULL,
	"text_body" text NOT NULL,
	"html_body" text,
	"attachments" jsonb NOT NULL,
	"raw" "bytea" NOT NULL,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "dev_mail_outbox_seq_idx" ON "dev_mail_outbox" USING btree ("seq");