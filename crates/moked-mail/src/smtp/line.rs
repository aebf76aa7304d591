//! Reading one line from a client without trusting its length.
//!
//! A line longer than the limit is read to its end but not kept, so an
//! endless line costs the server time, never memory.

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// What reading a line gave.
#[derive(Debug, PartialEq, Eq)]
pub enum LineRead {
    /// A whole line is in the buffer, without its line end.
    Line,
    /// The line was longer than the limit; the buffer is empty.
    TooLong,
    /// The client closed the connection (a partial last line is dropped).
    Closed,
}

/// Reads up to and including the next LF into `line`, stripping CR LF or a
/// bare LF.
pub async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
    max_bytes: usize,
) -> std::io::Result<LineRead> {
    line.clear();
    let mut too_long = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(LineRead::Closed);
        }
        let (chunk, complete) = match available.iter().position(|b| *b == b'\n') {
            Some(end) => (&available[..=end], true),
            None => (available, false),
        };
        if !too_long && line.len() + chunk.len() > max_bytes + 2 {
            too_long = true;
            line.clear();
        }
        if !too_long {
            line.extend_from_slice(chunk);
        }
        let consumed = chunk.len();
        reader.consume(consumed);
        if complete {
            return Ok(finish(line, too_long));
        }
    }
}

fn finish(line: &mut Vec<u8>, too_long: bool) -> LineRead {
    if too_long {
        line.clear();
        return LineRead::TooLong;
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    LineRead::Line
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::BufReader;

    #[tokio::test]
    async fn lines_long_lines_and_the_end_are_told_apart() {
        let input = "שלום\r\nbare\n".to_owned() + &"x".repeat(100) + "\r\nafter\r\npartial";
        let mut reader = BufReader::with_capacity(16, input.as_bytes());
        let mut line = Vec::new();
        assert_eq!(
            read_line(&mut reader, &mut line, 20).await.unwrap(),
            LineRead::Line
        );
        assert_eq!(line, "שלום".as_bytes());
        assert_eq!(
            read_line(&mut reader, &mut line, 20).await.unwrap(),
            LineRead::Line
        );
        assert_eq!(line, b"bare");
        assert_eq!(
            read_line(&mut reader, &mut line, 20).await.unwrap(),
            LineRead::TooLong
        );
        assert_eq!(
            read_line(&mut reader, &mut line, 20).await.unwrap(),
            LineRead::Line
        );
        assert_eq!(line, b"after");
        assert_eq!(
            read_line(&mut reader, &mut line, 20).await.unwrap(),
            LineRead::Closed
        );
    }
}
