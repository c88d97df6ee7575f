from langchain_azure_audio.cli import main

main(prog_name="langchain-azure-audio")
