use tcp_chat as _;
fn main() {}
