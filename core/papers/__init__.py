"""The papers (文书与证照): PDF documents (receipts, notices, decision letters, certificates),
their issuance records, storage and verification codes, and the electronic seal.
"""
