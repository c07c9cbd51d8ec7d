CREATE TABLE "work_block_keys" (
	"review_id" text NOT NULL,
	"key" text NOT NULL,
	"work_id" bigint NOT NULL,
	CONSTRAINT "work_block_keys_review_id_key_work_id_pk" PRIMARY KEY("review_id","key","work_id")
);
--> statement-breakpoint
ALTER TABLE "works" ADD COLUMN "journal_abbrev" text;--> statement-breakpoint
ALTER TABLE "works" ADD COLUMN "issn" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "works" ADD COLUMN "merged_into_id" bigint;--> statement-breakpoint
ALTER TABLE "work_block_keys" ADD CONSTRAINT "work_block_keys_review_id_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."reviews"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_block_keys" ADD CONSTRAINT "work_block_keys_work_id_works_id_fk" FOREIGN KEY ("work_id") REFERENCES "public"."works"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "work_block_keys_work" ON "work_block_keys" USING btree ("work_id");--> statement-breakpoint
ALTER TABLE "works" ADD CONSTRAINT "works_merged_into_id_works_id_fk" FOREIGN KEY ("merged_into_id") REFERENCES "public"."works"("id") ON DELETE no action ON UPDATE no action;