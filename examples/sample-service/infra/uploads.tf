# Web-form submissions: meant to be shared with four colleagues, made public instead.
resource "aws_s3_bucket" "form_submissions" {
  bucket = "sample-service-form-submissions"
}

resource "aws_s3_bucket_acl" "form_submissions" {
  bucket = aws_s3_bucket.form_submissions.id
  acl    = "public-read"
}
