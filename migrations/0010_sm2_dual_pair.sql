ALTER TABLE "certificates" ADD COLUMN "pair_serial_hex" text;--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "escrowed_key" "bytea";