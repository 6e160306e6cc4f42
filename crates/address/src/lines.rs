//! `tsunagaru address route`: one address per line in, one JSON object per
//! line out.

use crate::Router;
use std::io::{self, BufRead, BufWriter, Write};

/// Routes each line of `input` and writes one JSON object per line, in input
/// order, in constant memory: a line is read, answered and forgotten. Invalid
/// UTF-8 is read lossily; a BOM on the first line and CR line ends (files
/// saved on Windows) are dropped. Returns the number of lines.
pub fn route_lines(
    router: &Router,
    mut input: impl BufRead,
    output: impl Write,
) -> io::Result<u64> {
    let mut output = BufWriter::with_capacity(64 * 1024, output);
    let mut line = Vec::with_capacity(256);
    let mut count = 0u64;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        let text = String::from_utf8_lossy(&line);
        let mut address = text.trim_end_matches(['\n', '\r']);
        if count == 0 {
            address = address.strip_prefix('\u{feff}').unwrap_or(address);
        }
        serde_json::to_writer(&mut output, &router.route(address))?;
        output.write_all(b"\n")?;
        count += 1;
    }
    output.flush()?;
    Ok(count)
}
