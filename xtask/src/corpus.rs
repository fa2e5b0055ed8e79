pub fn run(_args: &[String]) -> Result<(), crate::Failure> {
    todo!()
}
